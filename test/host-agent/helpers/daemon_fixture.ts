import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readFile, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { EnclaveStatus } from "../../../host-agent/enclave/enclave_status.ts";
import { runCommand } from "../../../host-agent/daemon/run_command_node.ts";
import { ensureLocalCredentials } from "../../../local/aws/ensure_local_credentials_node.ts";
import { ensureLocalSetup } from "../../../local/ensure_local_setup_node.ts";
import { startImdsStandIn, type ImdsStandIn } from "../../../local/imds/start_imds_stand_in_node.ts";
import { startKmsStandIn } from "../../../local/kms/start_kms_stand_in_node.ts";
import { localKeyPolicy } from "../../../local/local_key_policy.ts";
import { startSecretsManagerStandIn } from "../../../local/secrets_manager/start_secrets_manager_stand_in_node.ts";
import { spawnService, type Service } from "../../../local/spawn_service_node.ts";
import { startVsockProxyStandIn } from "../../../local/vsock_proxy/start_vsock_proxy_stand_in_node.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { FAKES_DIR, signerEnclaveCommand, waitFor } from "./fake_enclave.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A real `host-agent daemon` and everything an instance has, stood in for locally (see `startDaemonFixture`). */
export type DaemonFixture = {
  readonly dir: { path: string; remove(): Promise<void> };
  readonly imds: ImdsStandIn;
  readonly daemon: Service;
  /** The signer's (the enclave's) socket. */
  readonly socket: string;
  readonly statusFile: string;
  readonly logSocket: string;
  readonly signerLog: string;
  /** Secrets Manager, as the key administrator. */
  readonly secrets: SecretsManagerClient;
  readonly prefix: string;
  readonly kmsKeyId: string;
  /** The daemon's log lines. */
  readonly logs: string[];
  readStatus(): Promise<EnclaveStatus | undefined>;
  /** Waits (up to 90 s) for a status file that passes `check`. */
  waitForStatus(what: string, check: (s: EnclaveStatus) => boolean): Promise<EnclaveStatus>;
  stop(): Promise<void>;
};

export type DaemonFixtureOptions = {
  tempPrefix: string;
  /** The PCR0 the KMS key's policy approves. @default the enclave's own */
  keyPolicyPcr0?: string;
  /** Something between the vsock-proxy and KMS (the signer's Decrypt path, TLS inside), given KMS's port. */
  kmsFront?: (kmsPort: number) => Promise<{ port: number; close(): Promise<unknown> }>;
  /** Something in front of Secrets Manager for the daemon, given its URL and CA. */
  secretsFront?: (url: string, caPem: string) => Promise<{ url: string; close(): Promise<unknown> }>;
  /** The daemon's timings. @default 100 ms watch, 50 ms restart backoff, no key sync */
  watchIntervalMs?: number;
  restartBackoffMs?: number;
  keySyncIntervalMs?: number;
};

/**
 * `host-agent daemon` as a real process with IMDSv2 (the role credentials every other stand-in accepts), KMS with a
 * PCR0-bound key policy and attestation checks, Secrets Manager, the vsock-proxy (a TCP forwarder), and a fake
 * nitro-cli whose enclave is the real Deno signer (simulated NSM reporting the approved PCR0) on a Unix socket; the
 * signer's log lines come back to the daemon's receiver over a Unix socket. `options` (DaemonFixtureOptions) can put
 * a middlebox on the signer's KMS path or the daemon's Secrets Manager path, and change the key policy and timings.
 */
export async function startDaemonFixture(options: DaemonFixtureOptions): Promise<DaemonFixture> {
  const closers: (() => Promise<unknown>)[] = [];
  const logs: string[] = [];
  const dir = await tempDir(options.tempPrefix);
  const started = await (async () => {
    const stateDir = join(dir.path, "state");
    const setup = await ensureLocalSetup(stateDir);
    const { admin } = await ensureLocalCredentials(stateDir);
    const adminKeys = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
    const imds = await startImdsStandIn({ region: setup.region });
    closers.push(() => imds.close());
    const accepted = () => [...imds.acceptedCredentials(), admin];
    const kms = await startKmsStandIn({ stateDir, region: setup.region, credentials: accepted, attestationRoots: [await readFile(setup.attestationRootFile, "utf8")] });
    closers.push(() => kms.close());
    const sm = await startSecretsManagerStandIn({ stateDir, region: setup.region, credentials: accepted });
    closers.push(() => sm.close());
    const kmsFront = options.kmsFront ? await options.kmsFront(kms.port) : undefined;
    if (kmsFront) closers.push(() => kmsFront.close());
    const kmsPort = kmsFront?.port ?? kms.port;
    const vsockProxy = await startVsockProxyStandIn({ remoteHost: "127.0.0.1", remotePort: kmsPort, allowlist: [{ address: "127.0.0.1", port: kmsPort }] });
    closers.push(() => vsockProxy.close());
    const secretsFront = options.secretsFront ? await options.secretsFront(sm.url, sm.caPem) : undefined;
    if (secretsFront) closers.push(() => secretsFront.close());
    const caFile = join(stateDir, "ca", "ca.pem");
    const httpsAgent = new Agent({ ca: kms.caPem });
    const adminKms = new KMSClient({ region: setup.region, endpoint: kms.url, credentials: adminKeys, requestHandler: { httpsAgent } });
    const kmsKeyId = (await adminKms.send(new CreateKeyCommand({ Policy: JSON.stringify(localKeyPolicy(options.keyPolicyPcr0 ?? setup.pcr0)) }))).KeyMetadata!.KeyId!;
    adminKms.destroy();
    const secrets = new SecretsManagerClient({ region: setup.region, endpoint: sm.url, credentials: adminKeys, requestHandler: { httpsAgent } });
    const prefix = setup.secretPrefix;

    const socket = join(dir.path, "signer.sock");
    const statusFile = join(dir.path, "run", "status.json");
    const eif = join(dir.path, "signer.eif");
    await writeFile(eif, "not really an EIF");
    const fakeState = join(dir.path, "nitro");
    process.env.FAKE_NITRO_CLI_STATE = fakeState; // for this process's own nitro-cli calls (describe, cleanup)
    const logSocket = join(dir.path, "enclave-logs.sock");
    const signerLog = join(dir.path, "log", "signer.log");
    const signerArgs = ["--pki", setup.pkiFile, "--pcr", `0=${setup.pcr0}`, "--kms-proxy", vsockProxy.url, "--kms-ca", caFile, "--log-to", `unix://${logSocket}`];
    const { service: daemon } = await spawnService("host-agent", process.execPath, [
      "--import", "tsx", join(ROOT, "host-agent/main_node.ts"), "daemon",
      "--signer", `unix://${socket}`,
      "--eif", eif,
      "--cpu-count", "2",
      "--memory-mib", "512",
      "--cid", "16",
      "--imds-endpoint", imds.url,
      "--secrets-endpoint", secretsFront?.url ?? sm.url,
      "--secret-prefix", prefix,
      "--status-file", statusFile,
      "--enclave-logs", `unix://${logSocket}`,
      "--enclave-log-file", signerLog,
      "--watch-interval-ms", String(options.watchIntervalMs ?? 100),
      "--restart-backoff-ms", String(options.restartBackoffMs ?? 50),
      ...(options.keySyncIntervalMs === undefined ? [] : ["--key-sync-interval-ms", String(options.keySyncIntervalMs)]),
    ], {
      cwd: ROOT,
      env: {
        PATH: `${FAKES_DIR}:${process.env.PATH}`,
        NODE_EXTRA_CA_CERTS: caFile,
        AWS_REGION: undefined,
        FAKE_NITRO_CLI_STATE: fakeState,
        FAKE_NITRO_CLI_ENCLAVE_COMMAND: JSON.stringify(signerEnclaveCommand(`unix://${socket}`, signerArgs)),
      },
      ready: (line) => (line.includes('"event":"starting"') ? line : undefined),
      onLine: (line) => void logs.push(line),
      timeoutMs: 60_000,
    });
    closers.push(async () => {
      await daemon.stop(10_000);
      await runCommand(join(FAKES_DIR, "nitro-cli"), ["terminate-enclave", "--all"]);
    });

    return { imds, daemon, socket, statusFile, logSocket, signerLog, secrets, prefix, kmsKeyId };
  })().catch(async (error) => {
    for (const close of closers.reverse()) await close().catch(() => {});
    await dir.remove();
    throw error;
  });
  const { imds, daemon, socket, statusFile, logSocket, signerLog, secrets, prefix, kmsKeyId } = started;

  const readStatus = async (): Promise<EnclaveStatus | undefined> => {
    try {
      return JSON.parse(await readFile(statusFile, "utf8"));
    } catch {
      return undefined;
    }
  };
  return {
    dir, imds, daemon, socket, statusFile, logSocket, signerLog, secrets, prefix, kmsKeyId, logs, readStatus,
    waitForStatus: (what, check) =>
      waitFor(async () => {
        const s = await readStatus();
        return s && check(s) ? s : undefined;
      }, what, 90_000, () => logs.slice(-15).join("\n")),
    async stop() {
    if (process.env.TEST_VERBOSE) {
      const { readdir } = await import("node:fs/promises");
      for (const f of await readdir(join(dir.path, "nitro")).catch(() => [] as string[])) {
        if (f.endsWith(".log")) console.log(`--- ${f}\n${await readFile(join(dir.path, "nitro", f), "utf8")}`);
      }
    }
    secrets.destroy();
    for (const close of closers.reverse()) await close().catch(() => {});
    await dir.remove();
    },
  };
}
