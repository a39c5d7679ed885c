import { Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { emptyDist, fakeDist, PCR0, synthSignerStack } from "./signer_fixtures.ts";

// The cdk-nag AwsSolutions pack (v3: a policy-validation plugin; validateScope is its direct entry point),
// run on the production-shaped stack and on the debug / S3 / one-NAT variant.
const variants = {
  production: synthSignerStack({ pcr0: PCR0, upstreamUrl: "https://node.internal", distDir: fakeDist() }),
  debug: synthSignerStack({ debug: true, natGateways: 1, artifactBucket: "signer-builds", distDir: emptyDist() }),
};

/** Every acknowledgment in the tree: "<construct path> <rule id>" → reason. */
function acknowledgments(root: IConstruct): Map<string, string> {
  const found = new Map<string, string>();
  for (const c of root.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        // Ours are the AwsSolutions ones (stored as "Annotation::<rule id>", the form cdk-nag reads back);
        // aws-cdk-lib acknowledges a few CloudFormation-Validate rules on its own constructs.
        if (id.includes("AwsSolutions-")) found.set(`${c.node.path} ${id}`, reason);
      }
    }
  }
  return found;
}

for (const [name, { stack }] of Object.entries(variants)) {
  test(`cdk-nag AwsSolutions: no unacknowledged finding on the ${name} stack`, () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    const findings = report.violations.map((v) => `${v.severity} ${v.ruleName} @ ${v.violatingResources.map((r) => r.constructPath).join(", ")}`);
    assert.equal(findings, []);
    assert.ok(report.success);
  });
}

test("cdk-nag acknowledgments: the reviewed few, each on the narrowest construct, each with a reason", () => {
  const acks = acknowledgments(variants.production.stack);
  assert.equal([...acks.keys()].sort(), [
    "NitroSigner/ApiKeys/Secret Annotation::AwsSolutions-SMG4",
    "NitroSigner/Fleet/Group Annotation::AwsSolutions-AS3",
    "NitroSigner/InstanceRole/KeyRecordsPolicy Annotation::AwsSolutions-IAM5[Resource::*]",
    "NitroSigner/InstanceRole/KeyRecordsPolicy Annotation::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:nitro-signer/keys/*]",
    "NitroSigner/InstanceRole/Role Annotation::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
    "NitroSigner/Key/GenerateRandomPolicy Annotation::AwsSolutions-IAM5[Resource::*]",
    "NitroSigner/Rpc/LoadBalancer Annotation::AwsSolutions-ELB2",
  ]);
  for (const [id, reason] of acks) assert.ok(reason.length > 80, `${id}: a reason a reviewer can check`);
});

test.run();
