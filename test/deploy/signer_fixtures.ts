// Shared inputs for the deploy tests: fixed PCRs, a fake local build, and one-call synthesis. Not a test file.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { ARTIFACT_PATHS } from "../../deploy/lib/constants.ts";
import { SignerStack, type SignerStackProps } from "../../deploy/lib/signer_stack.ts";
import type { RenderBootstrapScriptParameters } from "../../deploy/lib/render_bootstrap_script.ts";

export const PCR0 = "a1".repeat(48);
export const PREVIOUS_PCR0 = "b2".repeat(48);
export const PCR8 = "c3".repeat(48);
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

/** A directory laid out like `dist/` with tiny stand-ins for the binaries and the EIF. */
export function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), "nitro-signer-dist-"));
  for (const path of Object.values(ARTIFACT_PATHS)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), `stand-in for ${path}\n`);
  }
  return dir;
}

/** A directory with no build at all. */
export function emptyDist(): string {
  return mkdtempSync(join(tmpdir(), "nitro-signer-nodist-"));
}

export type SynthResult = { readonly app: App; readonly stack: SignerStack; readonly template: Template };

/**
 * Builds and synthesizes one SignerStack (the built-in CloudFormation validation is off: it is slow and the
 * nag test runs the checks that matter). Synthesize once per variant and share the result across assertions.
 */
export function synthSignerStack(props: SignerStackProps): SynthResult {
  const app = new App({ builtinCloudFormationValidation: false });
  const stack = new SignerStack(app, "NitroSigner", { env: { account: ACCOUNT, region: REGION }, ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Bootstrap-script parameters with every part given (S3 sources, PCR0, log groups, the CloudFormation signal). */
export const BOOTSTRAP_PARAMETERS: RenderBootstrapScriptParameters = {
  region: "eu-central-1",
  env: { AWS_REGION: "eu-central-1", UPSTREAM_URL: 'https://node/a"b\\c', SIGNER_CID: "16" },
  units: { bucket: "assets", key: "units.zip" },
  binaries: {
    hostAgent: { bucket: "builds", key: "v1/bin/host-agent" },
    rpcProxy: { bucket: "builds", key: "v1/bin/rpc-proxy" },
    eif: { bucket: "builds", key: "v1/enclave/signer.eif" },
  },
  expectedPcr0: PCR0,
  logGroups: { "signer": "lg-signer", "host-agent": "lg-host-agent", "rpc-proxy": "lg-rpc-proxy" },
  signal: { stackName: "NitroSigner", logicalId: "FleetGroupASG" },
};
