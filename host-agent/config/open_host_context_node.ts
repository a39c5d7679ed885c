import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { Agent } from "node:https";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createSignerClient } from "../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../signer/transport/parse_signer_address.ts";
import type { Transport } from "../../signer/transport/transport.ts";
import { DEFAULT_SECRET_PREFIX } from "../keys/key_record.ts";
import type { HostContext } from "./host_context.ts";

/** What the local stack writes to `<state-dir>/stack.json` while it runs. */
export type LocalStackInfo = {
  url: string;
  upstreamUrl: string;
  signerAddress: string;
  region: string;
  secretsEndpoint: string;
  kmsEndpoint: string;
  caFile: string;
  kmsKeyId: string;
  secretPrefix: string;
  hostCredentials: { accessKeyId: string; secretAccessKey: string };
  attestationRootFile: string;
  pcr0: string;
};

/**
 * Finds the running system for the key commands. With a state directory (the local stack), everything comes
 * from its `stack.json`; otherwise (on an instance) from the environment: SIGNER_ADDRESS (default
 * vsock://16:5000), AWS_REGION, KMS_KEY_ID, SECRET_PREFIX, EXPECTED_PCR0, with AWS credentials from the SDK's
 * default chain (the instance role).
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
  const { env, transport } = options;
  if (options.stateDir !== undefined || !env.SIGNER_ADDRESS) {
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
  const signer = createSignerClient(() => transport.connect(parseSignerAddress(env.SIGNER_ADDRESS ?? "vsock://16:5000")));
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
