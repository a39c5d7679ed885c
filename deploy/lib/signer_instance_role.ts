import { Aws, Validations } from "aws-cdk-lib";
import { ManagedPolicy, Policy, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";

/** What the host-agent may do with key records: create, read, update and tag; never delete. */
export const SECRET_ACTIONS = [
  "secretsmanager:CreateSecret",
  "secretsmanager:DescribeSecret",
  "secretsmanager:GetSecretValue",
  "secretsmanager:PutSecretValue",
  "secretsmanager:TagResource",
  "secretsmanager:UpdateSecret",
] as const;

export interface SignerInstanceRoleProps {
  /** Secrets Manager name prefix of the key records (one secret per account). */
  readonly secretPrefix: string;
}

/**
 * The parent instances' IAM role: Session Manager (instead of SSH) through AmazonSSMManagedInstanceCore, and the
 * key records in Secrets Manager under the configured prefix only. The KMS permissions live with the key
 * (`SignerKey`), the log, artifact and CloudFormation-signal permissions with what needs them (`SignerFleet`).
 *
 * @example
 * ```ts
 * const { role } = new SignerInstanceRole(this, "InstanceRole", { secretPrefix: "nitro-signer/keys/" });
 * ```
 */
export class SignerInstanceRole extends Construct {
  public readonly role: Role;

  constructor(scope: Construct, id: string, props: SignerInstanceRoleProps) {
    super(scope, id);
    const ssmCore = ManagedPolicy.fromAwsManagedPolicyName("AmazonSSMManagedInstanceCore");
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("ec2.amazonaws.com"),
      description: "nitro-eth-signer parent instances: SSM sessions, key records under the secret prefix",
      managedPolicies: [ssmCore],
    });
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
      reason:
        "AmazonSSMManagedInstanceCore is the AWS-maintained minimum for Session Manager, which replaces SSH (no key " +
        "pair, no inbound port); AWS keeps it current with the SSM agent's needs.",
    });

    const secrets = new Policy(this, "KeyRecordsPolicy", {
      statements: [
        new PolicyStatement({
          sid: "KeyRecordsUnderPrefix",
          actions: [...SECRET_ACTIONS],
          resources: [
            `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:${props.secretPrefix}*`,
          ],
        }),
        new PolicyStatement({
          sid: "ListKeyRecords",
          actions: ["secretsmanager:ListSecrets"],
          resources: ["*"],
        }),
      ],
    });
    this.role.attachInlinePolicy(secrets);
    Validations.of(secrets).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.secretPrefix}*]`,
        reason:
          "Secret ARNs end in a random 6-character suffix chosen by Secrets Manager, so a prefix wildcard is the " +
          "narrowest resource that covers the key records; it is limited to the configured prefix and to " +
          "create/read/update/tag (no delete, no policy changes).",
      },
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "secretsmanager:ListSecrets has no resource-level permissions (IAM accepts only '*'); the host-agent needs " +
          "it to find the key records under the prefix after a restart. It returns metadata, never secret values.",
      },
    );
  }
}
