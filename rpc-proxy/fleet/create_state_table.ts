import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { FleetStateUnavailableError } from "./fleet_state_errors.ts";

/** An item of the state table, as DynamoDB's attribute values. */
export type StateItem = Record<string, AttributeValue>;

/** A conditional write: the condition and the placeholder values it (and the update) use. */
export type StateCondition = {
  readonly condition: string;
  readonly names?: Record<string, string>;
  readonly values?: StateItem;
};

/** `ok`: done; `conflict`: a conditional write lost; `error`: DynamoDB failed. */
export type StateCallOutcome = "ok" | "conflict" | "error";

/** The three item operations the instance role may use (docs/fleet-state.md): nothing else is called. */
export type StateOperation = "GetItem" | "PutItem" | "UpdateItem";

/**
 * The fleet's state table (docs/fleet-state.md) as the proxy uses it: strongly consistent reads and conditional
 * writes only, through `GetItem`, `PutItem` and `UpdateItem` (the IAM grant names exactly these). A lost condition
 * is `false`, any other failure a `FleetStateUnavailableError` naming the table.
 */
export type StateTable = {
  readonly name: string;
  /** The item under `pk` (consistent read), or undefined. */
  get(pk: string): Promise<StateItem | undefined>;
  /** Puts `item` (which holds `pk`) if `condition` holds; false if it did not. */
  put(item: StateItem, condition: StateCondition): Promise<boolean>;
  /**
   * Applies `update` (an UpdateExpression) to the item under `pk` if `condition` holds: the item's updated
   * attributes, or false if the condition did not hold.
   */
  update(pk: string, update: string, condition: StateCondition): Promise<StateItem | false>;
};

export type CreateStateTableOptions = {
  readonly client: DynamoDBClient;
  readonly table: string;
  /** Every call's operation, duration (ms) and outcome (metrics). */
  readonly onCall?: (operation: StateOperation, ms: number, outcome: StateCallOutcome) => void;
  /** @default () => performance.now() */
  readonly now?: () => number;
};

/**
 * Opens the state table over a `DynamoDBClient` (credentials from the SDK's default chain, or the local stand-in's).
 *
 * @example
 * ```ts
 * const table = createStateTable({ client: new DynamoDBClient({ region }), table: "nitro-signer-state" });
 * const item = await table.get("nonce#1#0xabc…");
 * ```
 */
export function createStateTable(options: CreateStateTableOptions): StateTable {
  const { client, table } = options;
  if (typeof table !== "string" || !/^[A-Za-z0-9_.-]{3,255}$/.test(table)) throw new TypeError(`Invalid state table name: ${JSON.stringify(table)}`);
  const now = options.now ?? (() => performance.now());
  const call = async <T>(operation: StateOperation, run: () => Promise<T>, conditional: boolean): Promise<T | false> => {
    const started = now();
    try {
      const result = await run();
      options.onCall?.(operation, now() - started, "ok");
      return result;
    } catch (error) {
      if (conditional && (error as { name?: string })?.name === "ConditionalCheckFailedException") {
        options.onCall?.(operation, now() - started, "conflict");
        return false;
      }
      options.onCall?.(operation, now() - started, "error");
      throw new FleetStateUnavailableError(table, operation, error);
    }
  };
  const expression = (c: StateCondition) => ({
    ConditionExpression: c.condition,
    ...(c.names ? { ExpressionAttributeNames: c.names } : {}),
    ...(c.values ? { ExpressionAttributeValues: c.values } : {}),
  });
  return {
    name: table,
    async get(pk) {
      const out = await call("GetItem", () => client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true })), false);
      return out === false ? undefined : out.Item;
    },
    async put(item, condition) {
      return (await call("PutItem", () => client.send(new PutItemCommand({ TableName: table, Item: item, ...expression(condition) })), true)) !== false;
    },
    async update(pk, update, condition) {
      const out = await call(
        "UpdateItem",
        () =>
          client.send(
            new UpdateItemCommand({ TableName: table, Key: { pk: { S: pk } }, UpdateExpression: update, ReturnValues: "UPDATED_NEW", ...expression(condition) }),
          ),
        true,
      );
      return out === false ? false : (out.Attributes ?? {});
    },
  };
}
