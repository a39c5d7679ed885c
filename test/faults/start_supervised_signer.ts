import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readFile, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { generateKey } from "../../host-agent/mod.ts";
import { runCommand } from "../../host-agent/daemon/run_command_node.ts";
import { ensureLocalCredentials } from "../../local/aws/ensure_local_credentials_node.ts";
import { ensureLocalSetup } from "../../local/ensure_local_setup_node.ts";
import { startImdsStandIn } from "../../local/imds/start_imds_stand_in_node.ts";
import { startKmsStandIn } from "../../local/kms/start_kms_stand_in_node.ts";
import { localKeyPolicy } from "../../local/local_key_policy.ts";
import { startSecretsManagerStandIn } from "../../local/secrets_manager/start_secrets_manager_stand_in_node.ts";
import { spawnService } from "../../local/spawn_service_node.ts";
import { startVsockProxyStandIn } from "../../local/vsock_proxy/start_vsock_proxy_stand_in_node.ts";
import { createSignerClient, parseSignerAddress } from "../../signer/mod.ts";
import { nodeTransport } from "../../signer/mod_node.ts";
import { FAKES_DIR, signerEnclaveCommand, waitFor } from "../host-agent/helpers/fake_enclave.ts";
import { startAwsMiddlebox, type AwsMiddlebox } from "./start_aws_middlebox.ts";
import { startMiddlebox, type Middlebox } from "./start_middlebox.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export type SupervisedSigner = {
  readonly signerAddress: string;
  readonly account: Hex;
  /** In front of Secrets Manager (the daemon's endpoint): can throttle or answer 503. */
  readonly secretsBox: AwsMiddlebox;
  /** Between the vsock-proxy and KMS (the signer's Decrypt path, TLS inside): can play dead. */
  readonly kmsBox: Middlebox;
  /** The daemon's JSON log lines. */
  readonly logs: string[];
  readonly daemonPid: number;
  stop(): Promise<void>;
};

/**
 * The signer as on an instance: the real `host-agent daemon` (IMDS, KMS and Secrets Manager stand-ins, the
 * vsock-proxy) supervising the real Deno signer through the fake nitro-cli (test/fakes), with one key generated
 * and stored on first start. It restarts a killed or hung signer and loads its keys again; key records are read
 * through `secretsBox` and the signer's KMS calls go through `kmsBox`, so both can fail on demand.
 * (`npm start` runs the same daemon in-process with its local enclave runner; here it is the production entry
 * point, `host-agent/main_node.ts daemon`, as its own process with the fake nitro-cli, so that the faults hit
 * the daemon exactly as systemd runs it.)
 *
 * @example
 * ```ts
 * const supervised = await startSupervisedSigner(dir, { keySyncIntervalMs: 5000 });
 * supervised.secretsBox.setMode("throttle");
 * await supervised.stop();
 * ```
 */
export async function startSupervisedSigner(dir: string, options: { keySyncIntervalMs?: number } = {}): Promise<SupervisedSigner> {
  const closers: (() => Promise<unknown>)[] = [];
  const logs: string[] = [];
  try {
    const stateDir = join(dir, "state");
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
    const kmsBox = await startMiddlebox(`127.0.0.1:${kms.port}`);
    closers.push(() => kmsBox.close());
    const vsockProxy = await startVsockProxyStandIn({ remoteHost: "127.0.0.1", remotePort: kmsBox.port, allowlist: [{ address: "127.0.0.1", port: kmsBox.port }] });
    closers.push(() => vsockProxy.close());
    const secretsBox = await startAwsMiddlebox(sm.url, sm.caPem);
    closers.push(() => secretsBox.close());
    const caFile = join(stateDir, "ca", "ca.pem");
    const httpsAgent = new Agent({ ca: kms.caPem });
    const adminKms = new KMSClient({ region: setup.region, endpoint: kms.url, credentials: adminKeys, requestHandler: { httpsAgent } });
    const kmsKeyId = (await adminKms.send(new CreateKeyCommand({ Policy: JSON.stringify(localKeyPolicy(setup.pcr0)) }))).KeyMetadata!.KeyId!;
    adminKms.destroy();
    const secrets = new SecretsManagerClient({ region: setup.region, endpoint: sm.url, credentials: adminKeys, requestHandler: { httpsAgent } });
    closers.push(async () => secrets.destroy());

    const socket = join(dir, "signer.sock");
    const signerAddress = `unix://${socket}`;
    const statusFile = join(dir, "run", "status.json");
    const eif = join(dir, "signer.eif");
    await writeFile(eif, "not really an EIF");
    const fakeState = join(dir, "nitro");
    const logSocket = join(dir, "enclave-logs.sock");
    const signerArgs = ["--pki", setup.pkiFile, "--pcr", `0=${setup.pcr0}`, "--kms-proxy", vsockProxy.url, "--kms-ca", caFile, "--log-to", `unix://${logSocket}`];
    const { service: daemon } = await spawnService("host-agent", process.execPath, [
      "--import", "tsx", join(ROOT, "host-agent/main_node.ts"), "daemon",
      "--signer", signerAddress, "--eif", eif, "--cpu-count", "2", "--memory-mib", "512", "--cid", "16",
      "--imds-endpoint", imds.url, "--secrets-endpoint", secretsBox.url, "--secret-prefix", setup.secretPrefix,
      "--status-file", statusFile, "--enclave-logs", `unix://${logSocket}`, "--enclave-log-file", join(dir, "log", "signer.log"),
      "--watch-interval-ms", "500", "--restart-backoff-ms", "200",
      "--key-sync-interval-ms", String(options.keySyncIntervalMs ?? 0),
    ], {
      cwd: ROOT,
      env: {
        PATH: `${FAKES_DIR}:${process.env.PATH}`,
        NODE_EXTRA_CA_CERTS: caFile,
        AWS_REGION: undefined,
        FAKE_NITRO_CLI_STATE: fakeState,
        FAKE_NITRO_CLI_ENCLAVE_COMMAND: JSON.stringify(signerEnclaveCommand(signerAddress, signerArgs)),
      },
      ready: (line) => (line.includes('"event":"starting"') ? line : undefined),
      onLine: (line) => void logs.push(line),
      timeoutMs: 60_000,
    });
    closers.push(async () => {
      await daemon.stop(10_000);
      process.env.FAKE_NITRO_CLI_STATE = fakeState; // the fake nitro-cli reads its state directory from there
      await runCommand(join(FAKES_DIR, "nitro-cli"), ["terminate-enclave", "--all"]).catch(() => {});
    });
    const readStatus = async () => JSON.parse(await readFile(statusFile, "utf8").catch(() => "{}"));
    await waitFor(async () => (await readStatus()).ready === true, "the daemon's first signer", 90_000, () => logs.slice(-10).join("\n"));
    // First start: one key, generated in the signer and stored as a record (what `host-agent keys generate` does).
    const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(signerAddress)));
    closers.push(async () => signer.close());
    const { address } = await generateKey({ signer, secrets, prefix: setup.secretPrefix, kmsKeyId }, { label: "faults" });
    return {
      signerAddress,
      account: address as Hex,
      secretsBox,
      kmsBox,
      logs,
      daemonPid: daemon.child.pid!,
      async stop() {
        for (const close of closers.reverse()) await close().catch(() => {});
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw error;
  }
}
