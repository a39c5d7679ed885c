import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { type IRole, Policy, PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

/** The table's partition key (string): `nonce#<chainId>#<address>` or `window#<address>` (docs/fleet-state.md). */
export const STATE_TABLE_PARTITION_KEY = "pk";
/** The TTL attribute (epoch seconds): DynamoDB removes a window item once every entry in it has expired. */
export const STATE_TABLE_TTL_ATTRIBUTE = "expiresAt";
/**
 * Everything the instances may do with the table: the item operations the rpc-proxy uses (conditional writes on
 * the item's `version`). No Query, Scan, DeleteItem, batch or table-level operation.
 */
export const STATE_TABLE_ACTIONS = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"] as const;

export interface SignerStateTableProps {
  /** The instance role: gets `STATE_TABLE_ACTIONS` on this table's ARN (no index, no other table). */
  readonly role: IRole;
}

/**
 * The fleet state (issue 13, docs/fleet-state.md): one DynamoDB table shared by every instance, holding each
 * account's nonce lease and each governed account's spend-window record. On-demand, point-in-time recovery,
 * deletion protection, TTL on `expiresAt`, encrypted at rest with the AWS-owned key (DynamoDB's default: no KMS
 * key to manage or pay for; who may read the items is IAM's to decide, and the window records are authenticated by
 * the signer, so a customer-managed key would add cost and a key policy, not protection), retained when the stack is deleted. The name is CloudFormation's; the
 * instances get it as `STATE_TABLE` in the env file.
 *
 * @example
 * ```ts
 * const state = new SignerStateTable(this, "State", { role });
 * env.STATE_TABLE = state.table.tableName;
 * ```
 */
export class SignerStateTable extends Construct {
  public readonly table: Table;

  constructor(scope: Construct, id: string, props: SignerStateTableProps) {
    super(scope, id);
    this.table = new Table(this, "Table", {
      partitionKey: { name: STATE_TABLE_PARTITION_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: STATE_TABLE_TTL_ATTRIBUTE,
      encryption: TableEncryption.DEFAULT,
      // Losing the table resets every spend window and nonce lease of the fleet: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // An explicit statement rather than table.grant(): exactly the table's ARN, never its index wildcard.
    const policy = new Policy(this, "ItemAccessPolicy", {
      statements: [
        new PolicyStatement({
          sid: "FleetStateItems",
          actions: [...STATE_TABLE_ACTIONS],
          resources: [this.table.tableArn],
        }),
      ],
    });
    props.role.attachInlinePolicy(policy);
  }
}
