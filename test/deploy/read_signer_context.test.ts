import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "aws-cdk-lib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROJECT_ROOT } from "../../deploy/lib/constants.ts";
import { readPcr0File, readSignerContext } from "../../deploy/lib/read_signer_context.ts";
import { PCR0, PREVIOUS_PCR0 } from "./signer_fixtures.ts";

const NO_FILE = join(tmpdir(), "nitro-signer-no-such-pcrs.json");
const read = (context: Record<string, unknown>) => readSignerContext(new App({ context: { pcrsFile: NO_FILE, ...context } }));

function pcrsFile(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "nitro-signer-pcrs-"));
  mkdirSync(join(dir, "enclave"));
  writeFileSync(join(dir, "enclave", "pcrs.json"), content);
  return join(dir, "enclave", "pcrs.json");
}

test("readSignerContext() parses -c strings: numbers, booleans and comma lists", () => {
  const props = read({
    pcr0: PCR0,
    region: "eu-west-1",
    account: "210987654321",
    minCapacity: "3",
    maxCapacity: "6",
    natGateways: "1",
    instanceType: "c6a.2xlarge",
    clientCidrs: "10.0.0.0/8, 192.168.0.0/16",
    previousPcr0: PREVIOUS_PCR0,
    debug: "false",
    upstreamUrl: "https://node.internal",
    stackName: "Signer-Prod",
  });
  assert.is(props.stackName, "Signer-Prod");
  assert.equal(props.env, { account: "210987654321", region: "eu-west-1" });
  assert.is(props.minCapacity, 3);
  assert.is(props.maxCapacity, 6);
  assert.is(props.natGateways, 1);
  assert.is(props.instanceType, "c6a.2xlarge");
  assert.equal(props.clientCidrs, ["10.0.0.0/8", "192.168.0.0/16"]);
  assert.equal(props.previousPcr0s, [PREVIOUS_PCR0]);
  assert.is(props.debug, false);
  assert.is(props.allowUnauthenticated, false, "API keys are required unless asked otherwise");
  assert.is(read({ pcr0: PCR0, allowUnauthenticated: "true" }).allowUnauthenticated, true);
  assert.throws(() => read({ pcr0: PCR0, allowUnauthenticated: "yes" }), /context "allowUnauthenticated": expected true or false/);
  assert.is(props.pcr0, PCR0);
  assert.is(props.pcr0Source, "context pcr0");
});

test("readSignerContext() takes JSON values from cdk.json and JSON-array strings", () => {
  const props = read({ pcr0: PCR0, minCapacity: 2, debug: false, clientSecurityGroupIds: ["sg-0123456789abcdef0"], keyAdminArns: '["arn:aws:iam::123456789012:role/Admin"]' });
  assert.is(props.minCapacity, 2);
  assert.equal(props.clientSecurityGroupIds, ["sg-0123456789abcdef0"]);
  assert.equal(props.keyAdminArns, ["arn:aws:iam::123456789012:role/Admin"]);
});

test("readSignerContext() reports the context key of a bad value", () => {
  assert.throws(() => read({ minCapacity: "two" }), /context "minCapacity": expected an integer/);
  assert.throws(() => read({ debug: "yes" }), /context "debug": expected true or false/);
  assert.throws(() => read({ clientCidrs: "[10.0.0.0/8" }), /context "clientCidrs": not a JSON list/);
});

test("readSignerContext() falls back to the image build's pcrs.json, context first", () => {
  const file = pcrsFile(JSON.stringify({ PCR0: PREVIOUS_PCR0, PCR1: "00", PCR2: "00" }));
  const fromFile = read({ pcrsFile: file });
  assert.is(fromFile.pcr0, PREVIOUS_PCR0);
  assert.is(fromFile.pcr0Source, file);
  assert.is(read({ pcrsFile: file, pcr0: PCR0 }).pcr0, PCR0, "context pcr0 wins over the file");
  const debug = read({ pcrsFile: file, debug: "true" });
  assert.is(debug.pcr0, undefined, "debug ignores the file: a debug enclave reports zeros");
  assert.is(debug.debug, true);
  assert.throws(() => read({ pcrsFile: pcrsFile("{}") }), /no "PCR0" string/);
});

test("readSignerContext() leaves PCR0 unset without context or file, for the stack to refuse", () => {
  const props = read({});
  assert.is(props.pcr0, undefined);
  assert.is(props.pcr0Source, "none");
  assert.is(props.stackName, "NitroSigner");
  assert.is(props.distDir, join(PROJECT_ROOT, "dist"));
});

test("readSignerContext() takes the EIF's size from the local EIF in distDir, else from EifSizeBytes beside the PCRs", () => {
  const file = pcrsFile(JSON.stringify({ PCR0, EifSizeBytes: 123456789 }));
  const dist = join(file, "..", "..");
  assert.is(read({ pcrsFile: file, distDir: join(dist, "none"), pcr0: PCR0 }).eifSizeBytes, 123456789, "recorded by build-enclave.sh");
  writeFileSync(join(dist, "enclave", "signer.eif"), Buffer.alloc(4096));
  assert.is(read({ pcrsFile: file, distDir: dist }).eifSizeBytes, 4096, "the EIF the instances will start");
  assert.is(read({ pcrsFile: file, distDir: dist, artifactBucket: "builds" }).eifSizeBytes, 123456789, "from S3: the recorded size");
  assert.is(read({ distDir: join(dist, "none") }).eifSizeBytes, undefined, "no build: nothing to check");
  assert.throws(() => read({ pcrsFile: pcrsFile(JSON.stringify({ PCR0, EifSizeBytes: "big" })) }), /Cannot read EifSizeBytes/);
});

test("readPcr0File() rejects a file that is not JSON", () => {
  assert.throws(() => readPcr0File(pcrsFile("PCR0=abc")), /not JSON/);
});

test.run();
