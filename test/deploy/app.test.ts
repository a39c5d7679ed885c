import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PROJECT_ROOT } from "../../deploy/lib/constants.ts";
import { emptyDist } from "./signer_fixtures.ts";

// The app as an operator runs it, from the project root, offline. Isolated from any real build in dist/.
const NO_PCRS = join(tmpdir(), "nitro-signer-no-such-pcrs.json");
// CDK_VALIDATION=false turns off only aws-cdk-lib's built-in template linter (slow here); plugins such as cdk-nag run.
const env: NodeJS.ProcessEnv = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: "true", CDK_VALIDATION: "false", FORCE_COLOR: "0" };
delete env.CDK_DEFAULT_ACCOUNT; // whatever credentials this machine has, the synth must not depend on them
delete env.CDK_DEFAULT_REGION;

test("deploy/bin/app.ts refuses to synthesize without a PCR0 and says how to give one", () => {
  const out = mkdtempSync(join(tmpdir(), "nitro-signer-cdk-out-"));
  const run = spawnSync(process.execPath, ["--import", "tsx", "deploy/bin/app.ts"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ pcrsFile: NO_PCRS, distDir: emptyDist() }) },
  });
  assert.is.not(run.status, 0);
  assert.match(run.stderr, "Cannot synthesize the signer stack without a PCR0");
  assert.match(run.stderr, "-c debug=true");
});

test("deploy/bin/app.ts refuses an enclave memory the local build's EIF cannot run in, naming both numbers", () => {
  const out = mkdtempSync(join(tmpdir(), "nitro-signer-cdk-out-"));
  const dist = mkdtempSync(join(tmpdir(), "nitro-signer-dist-"));
  mkdirSync(join(dist, "enclave"));
  writeFileSync(join(dist, "enclave", "signer.eif"), "");
  truncateSync(join(dist, "enclave", "signer.eif"), 200 * 1024 * 1024); // sparse: 200 MiB on paper
  writeFileSync(join(dist, "enclave", "pcrs.json"), JSON.stringify({ PCR0: "ab".repeat(48), PCR1: "cd".repeat(48), PCR2: "ef".repeat(48), EifSizeBytes: 200 * 1024 * 1024 }));
  const run = spawnSync(process.execPath, ["--import", "tsx", "deploy/bin/app.ts"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ pcrsFile: join(dist, "enclave", "pcrs.json"), distDir: dist }) },
  });
  assert.is.not(run.status, 0);
  assert.match(run.stderr, "Cannot use enclaveMemoryMib 1024: the enclave image (EIF) is 200.0 MiB (209715200 bytes)");
  assert.match(run.stderr, "at least 1120 MiB");
});

test("npx cdk synth works offline from the project root (cdk.json → deploy/bin/app.ts), nag included", () => {
  const out = mkdtempSync(join(tmpdir(), "nitro-signer-cdk-out-"));
  const run = spawnSync(
    "npx",
    ["cdk", "synth", "--no-notices", "--quiet", "--output", out, "-c", "debug=true", "-c", `pcrsFile=${NO_PCRS}`, "-c", `distDir=${emptyDist()}`, "-c", "upstreamUrl=https://node.internal"],
    { cwd: PROJECT_ROOT, encoding: "utf8", env, timeout: 240_000 },
  );
  assert.is(run.status, 0, `${run.stdout}\n${run.stderr}`);
  assert.not.match(run.stdout + run.stderr, /ERROR/, "cdk-nag reported no error");
  const template = JSON.parse(readFileSync(join(out, "NitroSigner.template.json"), "utf8"));
  assert.match(template.Outputs.DebugMode.Value, "all-zero PCR0");
});

test("deploy/bin/app.ts runs cdk-nag as a validation plugin: a listener open to 0.0.0.0/0 fails the synth", () => {
  const out = mkdtempSync(join(tmpdir(), "nitro-signer-cdk-out-"));
  const context = { debug: "true", clientCidrs: "0.0.0.0/0", pcrsFile: NO_PCRS, distDir: emptyDist(), upstreamUrl: "https://node.internal" };
  const run = spawnSync(process.execPath, ["--import", "tsx", "deploy/bin/app.ts"], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify(context) },
  });
  assert.is.not(run.status, 0);
  const report = JSON.parse(readFileSync(join(out, "validation-report.json"), "utf8")) as {
    pluginReports: { pluginName: string; violations: { ruleName: string; severity: string }[] }[];
  };
  assert.equal(
    report.pluginReports.flatMap((r) => r.violations.map((v) => `${r.pluginName} ${v.ruleName} ${v.severity}`)),
    ["AwsSolutions AwsSolutions-EC23 error"],
  );
});

test.run();
