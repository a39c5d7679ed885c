import { CreateTableCommand, type DynamoDBClient, UpdateTimeToLiveCommand } from "@aws-sdk/client-dynamodb";

/**
 * Creates the fleet-state table (docs/fleet-state.md) if it does not exist: partition key `pk` (string),
 * on-demand (PAY_PER_REQUEST), TTL on `expiresAt` where the implementation accepts it (dynalite has no
 * UpdateTimeToLive; the items' `expiresAt` then only documents when they may go). Idempotent: an existing table
 * is left as it is. For the local stack and tests; on AWS the CDK app creates the table.
 *
 * @example
 * ```ts
 * await ensureStateTable(new DynamoDBClient({ region, endpoint }), "nitro-signer-state");
 * ```
 */
export async function ensureStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  if (typeof tableName !== "string" || !/^[A-Za-z0-9_.-]{3,255}$/.test(tableName)) {
    throw new TypeError(`Invalid table name: ${JSON.stringify(tableName)}`);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== "ResourceInUseException") throw error;
    return;
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      }),
    );
  } catch (error) {
    const name = (error as { name?: string }).name ?? "";
    // dynalite answers UnknownOperationException: it has no TTL.
    if (!/UnknownOperation/.test(name)) throw error;
  }
}
