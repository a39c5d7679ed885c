import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Agent } from "node:https";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createSignerClient, parseSignerAddress, type Transport } from "../../signer/mod.ts";
import { DEFAULT_SECRET_PREFIX } from "../keys/key_record.ts";
import type { LocalStackInfo } from "../local_stack/local_stack_info.ts";
import type { HostContext } from "./host_context.ts";

/**
 * Finds the running system for the key commands. On an instance (the services' environment file
 * `/etc/nitro-signer/env` exists, or SIGNER_ADDRESS / SIGNER_CID is set) and without `--state-dir`, from the
 * environment, the process's own variables winning over the file's: SIGNER_ADDRESS (else
 * vsock://SIGNER_CID:SIGNER_PORT, default 16:5000), AWS_REGION, KMS_KEY_ID, SECRET_PREFIX, EXPECTED_PCR0, with AWS
 * credentials from the SDK's default chain (the instance role). Otherwise from the local stack's `stack.json`.
 *
 * @example
 * ```ts
 * const context = await openHostContext({ stateDir: ".local", transport: nodeTransport, env: process.env });
 * ```
 */
export async function openHostContext(options: {
  stateDir?: string;
  transport: Transport;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<HostContext> {
  const { transport } = options;
  const envFile = options.env.NITRO_SIGNER_ENV_FILE ?? "/etc/nitro-signer/env";
  const fileEnv = options.stateDir === undefined ? await readEnvFile(envFile) : undefined;
  const env = { ...fileEnv, ...options.env };
  if (options.stateDir !== undefined || (!fileEnv && !env.SIGNER_ADDRESS && !env.SIGNER_CID)) {
    const stateDir = resolve(options.stateDir ?? ".local");
    let info: LocalStackInfo;
    try {
      info = JSON.parse(await readFile(join(stateDir, "stack.json"), "utf8"));
    } catch {
      throw new Error(`No running local stack in ${stateDir} (start it with npm start -- --state-dir ${stateDir})`);
    }
    const signer = createSignerClient(() => transport.connect(parseSignerAddress(info.signerAddress)));
    const secrets = new SecretsManagerClient({
      region: info.region,
      endpoint: info.secretsEndpoint,
      credentials: info.hostCredentials,
      requestHandler: { httpsAgent: new Agent({ ca: await readFile(info.caFile, "utf8") }) },
    });
    return {
      signer,
      secrets,
      prefix: info.secretPrefix,
      kmsKeyId: info.kmsKeyId,
      verify: { roots: [await readFile(info.attestationRootFile, "utf8")], pcrs: { 0: info.pcr0 } },
      close() {
        signer.close();
        secrets.destroy();
      },
    };
  }
  const address = env.SIGNER_ADDRESS ?? `vsock://${env.SIGNER_CID ?? 16}:${env.SIGNER_PORT ?? 5000}`;
  const signer = createSignerClient(() => transport.connect(parseSignerAddress(address)));
  const secrets = new SecretsManagerClient(env.AWS_REGION ? { region: env.AWS_REGION } : {});
  return {
    signer,
    secrets,
    prefix: env.SECRET_PREFIX ?? DEFAULT_SECRET_PREFIX,
    ...(env.KMS_KEY_ID ? { kmsKeyId: env.KMS_KEY_ID } : {}),
    verify: env.EXPECTED_PCR0 ? { pcrs: { 0: env.EXPECTED_PCR0 } } : {},
    close() {
      signer.close();
      secrets.destroy();
    },
  };
}

/** `KEY=VALUE` lines of a systemd EnvironmentFile (comments and blank lines skipped), or undefined if absent. */
async function readEnvFile(path: string): Promise<Record<string, string> | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.trim().replace(/^"(.*)"$/, "$1");
  }
  return env;
}
