import { Annotations, Match } from "aws-cdk-lib/assertions";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { emptyDist, synthSignerStack } from "./signer_fixtures.ts";

const ZEROS = "0".repeat(96);
const ADMIN = "arn:aws:iam::123456789012:role/KeyAdmin";

// A debug, cost-reduced, S3-sourced variant on another x86_64 type with pinned zones, synthesized once.
const debug = synthSignerStack({
  debug: true,
  natGateways: 1,
  artifactBucket: "signer-builds",
  artifactPrefix: "v1.2.0",
  availabilityZones: ["us-east-1a", "us-east-1c"],
  minCapacity: 3,
  maxCapacity: 6,
  instanceType: "m6i.xlarge",
  secretPrefix: "team-a/keys/",
  keyAdminArns: [ADMIN],
  logRetentionDays: 30,
});
const resources = debug.template.toJSON().Resources as Record<string, { Type: string; Properties: any; [k: string]: any }>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const userData = (r: { Properties: any }): string =>
  (r.Properties.LaunchTemplateData.UserData["Fn::Base64"]["Fn::Join"][1] as unknown[])
    .map((p) => (typeof p === "string" ? p : JSON.stringify(p)))
    .join("");

test("debug: binds the all-zero PCR0, starts a debug-mode enclave and says so in an output", () => {
  const outputs = debug.template.toJSON().Outputs;
  assert.match(outputs.DebugMode.Value, /all-zero PCR0/);
  assert.match(outputs.DebugMode.Value, /Do not hold real funds/);
  assert.is(outputs.EnclavePcr0.Value, ZEROS);
  const [key] = ofType("AWS::KMS::Key");
  const decrypt = key!.Properties.KeyPolicy.Statement.find((s: any) => s.Sid === "EnclaveDecryptWithAttestedImage");
  assert.equal(decrypt.Condition.StringEqualsIgnoreCase, { "kms:RecipientAttestation:ImageSha384": ZEROS });
  const script = userData(ofType("AWS::EC2::LaunchTemplate")[0]!);
  assert.match(script, 'ENCLAVE_DEBUG_MODE="true"');
  assert.not.match(script, '!= "', "no PCR0 comparison: debug enclaves measure as zeros");
});

test("variant: one NAT gateway for cost, zones pinned as given", () => {
  assert.is(ofType("AWS::EC2::NatGateway").length, 1);
  const zones = ofType("AWS::EC2::Subnet").map((s) => s.Properties.AvailabilityZone).sort();
  assert.equal(zones, ["us-east-1a", "us-east-1a", "us-east-1c", "us-east-1c"]);
});

test("variant: capacity, rolling update floor and creation signals follow minCapacity", () => {
  const [asg] = ofType("AWS::AutoScaling::AutoScalingGroup");
  assert.is(asg!.Properties.MinSize, "3");
  assert.is(asg!.Properties.MaxSize, "6");
  assert.is(asg!.UpdatePolicy.AutoScalingRollingUpdate.MinInstancesInService, 3);
  assert.is(asg!.CreationPolicy.ResourceSignal.Count, 3);
});

test("variant: artifacts from the S3 prefix, readable object by object", () => {
  const script = userData(ofType("AWS::EC2::LaunchTemplate")[0]!);
  assert.match(script, "s3://signer-builds/v1.2.0/bin/host-agent /opt/nitro-signer/bin/host-agent.download");
  assert.match(script, "s3://signer-builds/v1.2.0/bin/rpc-proxy /opt/nitro-signer/bin/rpc-proxy.download");
  assert.match(script, "s3://signer-builds/v1.2.0/enclave/signer.eif /opt/nitro-signer/signer.eif.download");
  const read = ofType("AWS::IAM::Policy").flatMap((p) => p.Properties.PolicyDocument.Statement).find((s: any) => s.Sid === "ReadBootArtifacts");
  const arns = JSON.stringify(read.Resource);
  for (const key of ["v1.2.0/bin/host-agent", "v1.2.0/bin/rpc-proxy", "v1.2.0/enclave/signer.eif"]) {
    assert.match(arns, `:s3:::signer-builds/${key}`);
  }
});

test("variant: the instance type as given, with the x86_64 Amazon Linux 2023 image (Graviton is refused at synth)", () => {
  const [lt] = ofType("AWS::EC2::LaunchTemplate");
  assert.is(lt!.Properties.LaunchTemplateData.InstanceType, "m6i.xlarge");
  assert.match(JSON.stringify(lt!.Properties.LaunchTemplateData.ImageId), "x8664");
  assert.throws(() => synthSignerStack({ debug: true, instanceType: "m6g.xlarge" }), /Cannot use instanceType m6g\.xlarge: it is arm64 \(Graviton\)/);
});

test("variant: secret prefix, key administrators and log retention come from the options", () => {
  const statements = ofType("AWS::IAM::Policy").flatMap((p) => p.Properties.PolicyDocument.Statement);
  assert.match(JSON.stringify(statements.find((s: any) => s.Sid === "KeyRecordsUnderPrefix").Resource), ":secret:team-a/keys/*");
  assert.is(debug.template.toJSON().Outputs.SecretPrefix.Value, "team-a/keys/");
  const [key] = ofType("AWS::KMS::Key");
  assert.equal(key!.Properties.KeyPolicy.Statement[0].Principal, { AWS: ADMIN });
  for (const group of ofType("AWS::Logs::LogGroup")) assert.is(group.Properties.RetentionInDays, 30);
});

test("variant: warns when no upstream node is configured", () => {
  Annotations.fromStack(debug.stack).hasWarning("/NitroSigner", Match.stringLikeRegexp("No upstreamUrl"));
});

test("a stack without a build still synthesizes, warns, and its instances refuse to bootstrap", () => {
  const none = synthSignerStack({ debug: true, distDir: emptyDist(), upstreamUrl: "https://node.internal" });
  Annotations.fromStack(none.stack).hasWarning("/NitroSigner/Artifacts", Match.stringLikeRegexp("No service binaries or EIF"));
  const [lt] = Object.values(none.template.findResources("AWS::EC2::LaunchTemplate"));
  const script = userData(lt as { Properties: any });
  assert.ok(script.trimEnd().endsWith("exit 1"));
});

test("a new enclave image (new PCR0) changes the launch template, which rolls the group", () => {
  const dist = emptyDist();
  const launchData = (pcr0: string) => {
    const { template } = synthSignerStack({ pcr0, distDir: dist, upstreamUrl: "https://node.internal" });
    const [lt] = Object.values(template.findResources("AWS::EC2::LaunchTemplate")) as { Properties: any }[];
    const [asg] = Object.values(template.findResources("AWS::AutoScaling::AutoScalingGroup")) as { Properties: any }[];
    assert.equal(Object.keys(asg!.Properties.LaunchTemplate.Version), ["Fn::GetAtt"], "the group follows the latest version");
    return userData(lt!);
  };
  const before = launchData("ab".repeat(48));
  const after = launchData("cd".repeat(48));
  assert.is.not(before, after);
  assert.match(after, `EXPECTED_PCR0="${"cd".repeat(48)}"`);
});

test("the stack refuses to synthesize without a PCR0 unless debug is set", () => {
  assert.throws(() => synthSignerStack({ distDir: emptyDist() }), /without a PCR0/);
});

test.run();
