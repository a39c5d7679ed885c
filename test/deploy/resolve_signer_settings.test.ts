import { test } from "uvu";
import * as assert from "uvu/assert";
import { DEBUG_PCR0 } from "../../deploy/lib/constants.ts";
import { resolveSignerSettings } from "../../deploy/lib/resolve_signer_settings.ts";
import { PCR0, PCR8, PREVIOUS_PCR0 } from "./signer_fixtures.ts";

const resolve = (options: Parameters<typeof resolveSignerSettings>[0]) => resolveSignerSettings(options, "us-east-1");

test("resolveSignerSettings() applies the documented defaults", () => {
  const s = resolve({ pcr0: PCR0 });
  assert.is(s.pcr0, PCR0);
  assert.is(s.debug, false);
  assert.is(s.instanceType.toString(), "m5a.xlarge");
  assert.is(s.minCapacity, 2);
  assert.is(s.maxCapacity, 4);
  assert.is(s.natGateways, 2);
  assert.is(s.enclaveCpuCount, 2);
  assert.is(s.enclaveMemoryMib, 1024);
  assert.is(s.cpuTargetPercent, 50);
  assert.is(s.secretPrefix, "nitro-signer/keys/");
  assert.is(s.vpcCidr, "10.40.0.0/16");
  assert.equal(s.clientCidrs, ["10.40.0.0/16"]);
  assert.equal(s.clientSecurityGroupIds, []);
  assert.is(s.availabilityZones, undefined);
  assert.is(s.logRetention, 90);
  assert.is(s.pcr8, undefined);
  assert.equal(s.previousPcr0s, []);
});

test("resolveSignerSettings() refuses to go on without a PCR0 unless debug is set", () => {
  assert.throws(() => resolve({}), (e: Error) => e instanceof TypeError && /without a PCR0/.test(e.message) && /debug=true/.test(e.message));
  const debug = resolve({ debug: true });
  assert.is(debug.pcr0, DEBUG_PCR0);
  assert.is(debug.pcr0, "0".repeat(96));
  assert.ok(debug.debug);
});

test("resolveSignerSettings() rejects a real PCR0 together with debug (a debug enclave reports zeros)", () => {
  assert.throws(() => resolve({ pcr0: PCR0, debug: true }), /debug-mode enclave reports an all-zero PCR0/);
  assert.is(resolve({ pcr0: DEBUG_PCR0, debug: true }).pcr0, DEBUG_PCR0);
});

test("resolveSignerSettings() normalizes PCRs to lowercase hex and rejects malformed ones", () => {
  assert.is(resolve({ pcr0: `0x${PCR0.toUpperCase()}` }).pcr0, PCR0);
  assert.throws(() => resolve({ pcr0: PCR0.slice(2) }), /expected 96 hex digits/);
  assert.throws(() => resolve({ pcr0: `${PCR0.slice(1)}g` }), /expected 96 hex digits/);
  assert.throws(() => resolve({ pcr0: PCR0, pcr8: "abc" }), /pcr8/);
  const s = resolve({ pcr0: PCR0, pcr8: PCR8.toUpperCase(), previousPcr0s: [PREVIOUS_PCR0, PCR0] });
  assert.is(s.pcr8, PCR8);
  assert.equal(s.previousPcr0s, [PREVIOUS_PCR0], "the current PCR0 is not repeated as a previous one");
});

test("resolveSignerSettings() keeps two instances and room for a rolling update", () => {
  assert.throws(() => resolve({ pcr0: PCR0, minCapacity: 1 }), /minCapacity 1: expected 2\.\.100/);
  assert.throws(() => resolve({ pcr0: PCR0, minCapacity: 3, maxCapacity: 3 }), /must exceed minCapacity 3/);
  assert.throws(() => resolve({ pcr0: PCR0, natGateways: 3 }), RangeError);
  assert.throws(() => resolve({ pcr0: PCR0, natGateways: 0 }), RangeError);
  assert.is(resolve({ pcr0: PCR0, natGateways: 1 }).natGateways, 1);
});

test("resolveSignerSettings() gives x86 enclaves whole cores only", () => {
  assert.throws(() => resolve({ pcr0: PCR0, enclaveCpuCount: 3 }), /whole cores/);
  assert.throws(() => resolve({ pcr0: PCR0, enclaveMemoryMib: 64 }), RangeError);
});

test("resolveSignerSettings() refuses Graviton (arm64) instance types: the signer and its EIF are built for x86_64 only", () => {
  for (const instanceType of ["c6g.xlarge", "m6g.xlarge", "m7g.2xlarge", "c7gn.xlarge"]) {
    assert.throws(() => resolve({ pcr0: PCR0, instanceType }), new RegExp(`Cannot use instanceType ${instanceType.replace(".", "\\.")}: it is arm64 \\(Graviton\\).*x86_64 only`));
  }
  for (const instanceType of ["m5a.xlarge", "m6i.xlarge", "c6a.2xlarge", "r5.xlarge"]) {
    assert.is(resolve({ pcr0: PCR0, instanceType }).instanceType.toString(), instanceType);
  }
});

test("resolveSignerSettings() refuses an enclave memory below 4 × the EIF plus the signer's headroom, naming both", () => {
  const eifSizeBytes = 180 * 1024 * 1024; // 4 × 180 + 320 = 1040 MiB
  assert.throws(
    () => resolve({ pcr0: PCR0, eifSizeBytes }),
    /^Cannot use enclaveMemoryMib 1024: the enclave image \(EIF\) is 180\.0 MiB \(188743680 bytes\).* at least 1040 MiB$/,
  );
  assert.is(resolve({ pcr0: PCR0, eifSizeBytes, enclaveMemoryMib: 1040 }).enclaveMemoryMib, 1040);
  assert.is(resolve({ pcr0: PCR0, enclaveMemoryMib: 512 }).enclaveMemoryMib, 512, "no EIF known: nothing to check against");
});

test("resolveSignerSettings() checks client sources, zones, names and retention", () => {
  assert.throws(() => resolve({ pcr0: PCR0, clientCidrs: ["10.0.0.0/33"] }), /not an IPv4 CIDR/);
  assert.throws(() => resolve({ pcr0: PCR0, clientSecurityGroupIds: ["default"] }), /not a security group id/);
  const sgOnly = resolve({ pcr0: PCR0, clientSecurityGroupIds: ["sg-0123456789abcdef0"] });
  assert.equal(sgOnly.clientCidrs, [], "security groups alone replace the VPC CIDR default");
  assert.throws(() => resolve({ pcr0: PCR0, availabilityZones: ["us-east-1a"] }), /two distinct zones/);
  assert.throws(() => resolve({ pcr0: PCR0, availabilityZones: ["us-east-1a", "us-west-2a"] }), /zones of us-east-1/);
  assert.equal(resolve({ pcr0: PCR0, availabilityZones: ["us-east-1a", "us-east-1c"] }).availabilityZones, ["us-east-1a", "us-east-1c"]);
  assert.throws(() => resolve({ pcr0: PCR0, secretPrefix: "keys with space/" }), /secretPrefix/);
  assert.throws(() => resolve({ pcr0: PCR0, logRetentionDays: 45 }), /logRetentionDays 45/);
  assert.throws(() => resolve({ pcr0: PCR0, artifactBucket: "Not_A_Bucket" }), /artifactBucket/);
  assert.is(resolve({ pcr0: PCR0, artifactBucket: "builds", artifactPrefix: "v1" }).artifactPrefix, "v1/");
  assert.throws(() => resolve({ pcr0: PCR0, keyAdminArns: ["arn:aws:iam::123456789012:group/admins"] }), /keyAdminArns/);
  assert.throws(() => resolve({ pcr0: PCR0, amiId: "ubuntu" }), /amiId/);
});

test("resolveSignerSettings() accepts only http(s) upstream URLs that fit on one env line", () => {
  assert.is(resolve({ pcr0: PCR0, upstreamUrl: "https://node.internal:8545/rpc" }).upstreamUrl?.port, "8545");
  assert.throws(() => resolve({ pcr0: PCR0, upstreamUrl: "ws://node.internal" }), /http: or https:/);
  assert.throws(() => resolve({ pcr0: PCR0, upstreamUrl: "node.internal" }), /not a URL/);
  assert.throws(() => resolve({ pcr0: PCR0, upstreamUrl: 'https://node.internal/"x' }), /quote/);
});

test.run();
