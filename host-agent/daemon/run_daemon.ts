import { SecretsManagerClient, type SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import { createSignerClient, type SignerClient, type Transport } from "../../signer/mod.ts";
import { createNitroCli } from "../enclave/create_nitro_cli.ts";
import type { EnclaveStatus } from "../enclave/enclave_status.ts";
import { guardEnclaveMemory } from "../enclave/guard_enclave_memory.ts";
import type { CommandRunner, NitroCli } from "../enclave/nitro_cli.ts";
import { pushCredentials } from "../enclave/push_credentials.ts";
import { superviseEnclave, type PrepareSignerResult } from "../enclave/supervise_enclave.ts";
import { createImdsClient } from "../imds/create_imds_client.ts";
import { keepCredentialsFresh } from "../imds/keep_credentials_fresh.ts";
import { computeBackoff } from "../timing/compute_backoff.ts";
import type { DaemonConfig } from "./parse_daemon_config.ts";
import { sleep } from "../timing/sleep.ts";

export type RunDaemonDeps = {
  /** How the signer is reached (Deno's in production: vsock). */
  transport: Transport;
  /** Runs `nitro-cli` (`config.nitroCli`); unused when `nitroCli` is given. */
  runCommand?: CommandRunner;
  /**
   * The enclave runner itself instead of `nitro-cli` through `runCommand`: the local stack's
   * (`local/create_local_nitro_cli_node.ts`, the Deno signer as a process). Everything else is the same daemon.
   */
  nitroCli?: NitroCli;
  /** Extra Secrets Manager client settings (the local stack's CA through `requestHandler`). @default none */
  secretsClientConfig?: Pick<SecretsManagerClientConfig, "requestHandler">;
  /** Writes the status file atomically. */
  writeStatus: (path: string, status: EnclaveStatus) => Promise<void>;
  /** Loads every key record into the signer (`host-agent/keys/load_all_keys.ts`). */
  loadAllKeys: (deps: { signer: SignerClient; secrets: SecretsManagerClient; prefix: string }) => Promise<PrepareSignerResult>;
  /**
   * Puts every stored policy back in force after the keys (`host-agent/policy/load_stored_policies.ts`); a
   * refused one is reported in the status's `keys.failed` as `policy/<address>`, never fatal. @default none
   */
  loadStoredPolicies?: (deps: { signer: SignerClient; secrets: SecretsManagerClient; prefix: string }) => Promise<{ failed: { name: string; error: string }[] }>;
  /** The EIF's size in bytes: with it, every start first refuses a memory below `minimumEnclaveMemoryMib`. */
  eifSize?: (path: string) => Promise<number>;
  /** Stops the daemon. */
  signal: AbortSignal;
  /** @default globalThis.fetch */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  log?: (event: Record<string, unknown>) => void;
};

/**
 * The host-agent daemon (DESIGN §2, §6): region and instance id from IMDSv2, role credentials kept fresh and
 * pushed to the signer, the enclave run and watched by `superviseEnclave`, key records and then their approved
 * policies loaded from Secrets Manager after every (re)start, status written to `config.statusFile`. Resolves when `deps.signal` aborts and
 * the enclave has been terminated.
 *
 * @example
 * ```ts
 * await runDaemon(parseDaemonConfig(args, env), { transport: denoTransport, runCommand, writeStatus, loadAllKeys, signal });
 * ```
 */
export async function runDaemon(config: DaemonConfig, deps: RunDaemonDeps): Promise<void> {
  if (!deps.nitroCli && !deps.runCommand) throw new TypeError("runDaemon needs deps.runCommand (nitro-cli) or deps.nitroCli");
  const { signal } = deps;
  const log = deps.log ?? (() => {});
  const imds = createImdsClient({ endpoint: config.imdsEndpoint, ...(deps.fetch ? { fetch: deps.fetch } : {}) });

  let region = config.region;
  for (let attempt = 1; region === undefined; attempt++) {
    try {
      region = await imds.region();
    } catch (error) {
      const retryInMs = computeBackoff(attempt, { initialMs: 1000, maxMs: 30_000 });
      log({ event: "region-failed", error: (error as Error).message, retryInMs });
      await sleep(retryInMs, signal);
      if (signal.aborted) return;
    }
  }
  const instanceId = await imds.instanceId().catch(() => undefined);
  log({ event: "starting", region, instanceId, signer: config.signer, enclave: config.enclave, statusFile: config.statusFile });

  let currentSigner: SignerClient | undefined;
  const credentials = keepCredentialsFresh({
    imds,
    signal,
    log,
    onCredentials: async (c) => {
      const signer = currentSigner;
      if (!signer) return;
      await pushCredentials(signer, c, region);
      log({ event: "credentials-pushed", expiration: c.expiration.toISOString() });
    },
  });

  const secrets = new SecretsManagerClient({
    region,
    ...(config.secretsEndpoint ? { endpoint: config.secretsEndpoint } : {}),
    credentials: async () => {
      const c = credentials.current() ?? (await credentials.ready());
      return { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration };
    },
    maxAttempts: 3,
    ...deps.secretsClientConfig,
  });

  const nitroCli = deps.nitroCli ?? createNitroCli(deps.runCommand!, { command: config.nitroCli });
  try {
    await superviseEnclave({
      nitroCli: deps.eifSize ? guardEnclaveMemory(nitroCli, { eifSize: deps.eifSize }) : nitroCli,
      enclave: config.enclave,
      connectSigner: () => createSignerClient(() => deps.transport.connect(config.signer), { timeoutMs: 30_000 }),
      prepare: async (signer) => {
        const c = credentials.current();
        if (!c) throw new Error("no valid role credentials from IMDS yet");
        await pushCredentials(signer, c, region);
        const keys = await deps.loadAllKeys({ signer, secrets, prefix: config.secretPrefix });
        if (!deps.loadStoredPolicies) return keys;
        const policies = await deps.loadStoredPolicies({ signer, secrets, prefix: config.secretPrefix });
        if (policies.failed.length > 0) log({ event: "policies-failed", failed: policies.failed });
        return { loaded: keys.loaded, failed: [...keys.failed, ...policies.failed] };
      },
      onSigner: (signer) => (currentSigner = signer),
      onStatus: (status) => deps.writeStatus(config.statusFile, status),
      extraStatus: () => ({ credentialsExpireAt: credentials.current()?.expiration.toISOString() ?? null }),
      signal,
      timings: config.timings,
      log,
    });
  } finally {
    await credentials.stopped;
    secrets.destroy();
  }
}
