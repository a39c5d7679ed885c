import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, CfnElement, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ENV_FILE, PROJECT_ROOT } from "../../deploy/lib/constants.ts";
import { SignerStateTable, STATE_TABLE_ACTIONS } from "../../deploy/lib/signer_state_table.ts";
import { ACCOUNT, fakeDist, PCR0, REGION, synthSignerStack } from "./signer_fixtures.ts";

// The fleet state table (issue 13, docs/fleet-state.md) on its own — a role and the table, nothing else — and as
// the stack wires it: the DynamoDB gateway endpoint, the env file's STATE_TABLE, the output.

type Resource = { Type: string; Properties: Record<string, any>; [k: string]: any };

const small = new Stack(new App({ builtinCloudFormationValidation: false }), "StateTest", { env: { account: ACCOUNT, region: REGION } });
const role = new Role(small, "InstanceRole", { assumedBy: new ServicePrincipal("ec2.amazonaws.com") });
new SignerStateTable(small, "State", { role });
const smallTemplate = Template.fromStack(small);
const tables = Object.entries(smallTemplate.findResources("AWS::DynamoDB::Table")) as [string, Resource][];
const policies = Object.values(smallTemplate.findResources("AWS::IAM::Policy")) as Resource[];

test("table: partition key pk (string) only, on-demand, no fixed name", () => {
  assert.is(tables.length, 1);
  const [, table] = tables[0]!;
  assert.equal(table.Properties.KeySchema, [{ AttributeName: "pk", KeyType: "HASH" }]);
  assert.equal(table.Properties.AttributeDefinitions, [{ AttributeName: "pk", AttributeType: "S" }]);
  assert.is(table.Properties.BillingMode, "PAY_PER_REQUEST");
  assert.is(table.Properties.ProvisionedThroughput, undefined);
  assert.is(table.Properties.GlobalSecondaryIndexes, undefined);
  assert.is(table.Properties.LocalSecondaryIndexes, undefined);
  assert.is(table.Properties.TableName, undefined, "CloudFormation names it; the instances get the name in STATE_TABLE");
});

test("table: point-in-time recovery, deletion protection, retained on stack deletion and replacement", () => {
  const [, table] = tables[0]!;
  assert.equal(table.Properties.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
  assert.is(table.Properties.DeletionProtectionEnabled, true);
  assert.is(table.DeletionPolicy, "Retain");
  assert.is(table.UpdateReplacePolicy, "Retain");
});

test("table: TTL on expiresAt; encrypted at rest with the AWS-owned key (SSEEnabled false, no KMS key)", () => {
  const [, table] = tables[0]!;
  assert.equal(table.Properties.TimeToLiveSpecification, { AttributeName: "expiresAt", Enabled: true });
  // DynamoDB encrypts every table; SSEEnabled false selects the AWS-owned key (true would be the aws/dynamodb
  // AWS-managed key, or a KMSMasterKeyId a customer-managed one).
  assert.equal(table.Properties.SSESpecification, { SSEEnabled: false });
  smallTemplate.resourceCountIs("AWS::KMS::Key", 0);
});

test("IAM: the role may GetItem, PutItem and UpdateItem on this table's ARN, and nothing else", () => {
  assert.equal([...STATE_TABLE_ACTIONS], ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]);
  assert.is(policies.length, 1);
  const [policy] = policies;
  const roleId = small.resolve((role.node.defaultChild as CfnElement).logicalId) as string;
  assert.equal(policy!.Properties.Roles, [{ Ref: roleId }]);
  assert.equal(policy!.Properties.PolicyDocument.Statement, [
    {
      Sid: "FleetStateItems",
      Effect: "Allow",
      Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
      Resource: { "Fn::GetAtt": [tables[0]![0], "Arn"] },
    },
  ]);
});

// ---- as the stack wires it ----

const { template } = synthSignerStack({ pcr0: PCR0, upstreamUrl: "https://node.internal", distDir: fakeDist() });
const json = template.toJSON() as { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };
const ofType = (type: string): [string, Resource][] => Object.entries(json.Resources).filter(([, r]) => r.Type === type);
const [tableId] = ofType("AWS::DynamoDB::Table").map(([id]) => id);
const userData = (): string => {
  const [[, lt]] = ofType("AWS::EC2::LaunchTemplate") as [[string, Resource]];
  const parts = lt.Properties.LaunchTemplateData.UserData["Fn::Base64"]["Fn::Join"][1] as unknown[];
  return parts.map((p) => (typeof p === "string" ? p : JSON.stringify(p))).join("");
};

test("stack: one state table, its name in the env file as STATE_TABLE beside AWS_REGION, and as an output", () => {
  assert.is(ofType("AWS::DynamoDB::Table").length, 1);
  const script = userData();
  assert.match(script, `STATE_TABLE="{"Ref":"${tableId}"}"`);
  assert.match(script, 'AWS_REGION="us-east-1"');
  // Both inside the env file's heredoc, which the rpc-proxy unit reads (EnvironmentFile=/etc/nitro-signer/env).
  const envFile = /cat > \/etc\/nitro-signer\/env <<'NITRO_SIGNER_EOF'\n([\s\S]*?)\nNITRO_SIGNER_EOF/.exec(script)?.[1] ?? "";
  assert.match(envFile, /^STATE_TABLE=/m);
  assert.match(envFile, /^AWS_REGION=/m);
  assert.equal(json.Outputs.StateTableName!.Value, { Ref: tableId });
});

test("the rpc-proxy unit takes STATE_TABLE and AWS_REGION from that env file and sets neither itself", () => {
  const unit = readFileSync(join(PROJECT_ROOT, "host-agent", "systemd", "nitro-signer-rpc-proxy.service"), "utf8");
  const lines = unit.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#"));
  assert.ok(lines.includes(`EnvironmentFile=${ENV_FILE}`));
  assert.not.ok(lines.some((l) => /^Environment=.*\b(STATE_TABLE|AWS_REGION)=/.test(l)));
  assert.not.ok(lines.some((l) => l.includes("--state-table")), "one source for the table name: the env file");
});

test("stack: a DynamoDB gateway endpoint on both private subnets' route tables", () => {
  const gateways = ofType("AWS::EC2::VPCEndpoint").filter(([, e]) => e.Properties.VpcEndpointType === "Gateway");
  const dynamodb = gateways.filter(([, e]) => JSON.stringify(e.Properties.ServiceName).endsWith('".dynamodb"]]}'));
  assert.is(dynamodb.length, 1);
  const privateRouteTables = ofType("AWS::EC2::RouteTable")
    .filter(([id]) => id.includes("PrivateSubnet"))
    .map(([id]) => id)
    .sort();
  assert.is(privateRouteTables.length, 2);
  assert.equal(dynamodb[0]![1].Properties.RouteTableIds.map((r: { Ref: string }) => r.Ref).sort(), privateRouteTables);
});

test("stack: the instance role's only DynamoDB permissions are the three item operations on the state table", () => {
  const statements = ofType("AWS::IAM::Policy").flatMap(([, p]) => p.Properties.PolicyDocument.Statement as any[]);
  const dynamo = statements.filter((s) => [s.Action].flat().some((a: string) => a.startsWith("dynamodb:")));
  assert.equal(dynamo.map((s) => [[s.Action].flat(), s.Resource]), [
    [["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"], { "Fn::GetAtt": [tableId, "Arn"] }],
  ]);
});

test.run();
