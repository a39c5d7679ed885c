import { test } from "uvu";
import * as assert from "uvu/assert";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readFile, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createSignerClient } from "../../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { isEnclaveReady, type EnclaveStatus } from "../../../host-agent/enclave/enclave_status.ts";
import { generateKey } from "../../../host-agent/keys/generate_key.ts";
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
import { FAKES_DIR, nitroCliCalls, signerEnclaveCommand, waitFor } from "../helpers/fake_enclave.ts";

// `host-agent daemon` as a real process on the same local stand-ins as daemon_process.test.ts (IMDSv2, KMS with
// attestation checks, Secrets Manager, the vsock-proxy, a fake nitro-cli running the real Deno signer), but its
// only key record is sealed under a KMS key whose policy names another PCR0 than the enclave's. Encrypt is
// allowed (it does not depend on the enclave), so the key is generated and stored; after the enclave restarts,
// real key loading (keys.load → KMS Decrypt with the attestation document) is denied, and the status file must
// say so: KMS_ACCESS_DENIED for that record, and not ready (a signer holding no key must leave rotation).
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const closers: (() => Promise<unknown>)[] = [];
let dir: { path: string; remove(): Promise<void> };
let imds: ImdsStandIn;
let daemon: Service;
let socket: string;
let statusFile: string;
let logSocket: string;
let signerLog: string;
let secrets: SecretsManagerClient;
let prefix: string;
let kmsKeyId: string;
/** A PCR0 that is not the enclave's: the image a key policy approved, but not the one running. */
const OTHER_PCR0 = "ab".repeat(48);
const logs: string[] = [];

const readStatus = async (): Promise<EnclaveStatus | undefined> => {
  try {
    return JSON.parse(await readFile(statusFile, "utf8"));
  } catch {
    return undefined;
  }
};
const waitForStatus = (what: string, check: (s: EnclaveStatus) => boolean) =>
  waitFor(async () => {
    const s = await readStatus();
    return s && check(s) ? s : undefined;
  }, what, 90_000, () => logs.slice(-15).join("\n"));

test.before(async () => {
  dir = await tempDir("daemon-denied-");
  const stateDir = join(dir.path, "state");
  const setup = await ensureLocalSetup(stateDir);
  const { admin } = await ensureLocalCredentials(stateDir);
  const adminKeys = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
  imds = await startImdsStandIn({ region: setup.region });
  closers.push(() => imds.close());
  const accepted = () => [...imds.acceptedCredentials(), admin];
  const kms = await startKmsStandIn({ stateDir, region: setup.region, credentials: accepted, attestationRoots: [await readFile(setup.attestationRootFile, "utf8")] });
  closers.push(() => kms.close());
  const sm = await startSecretsManagerStandIn({ stateDir, region: setup.region, credentials: accepted });
  closers.push(() => sm.close());
  const vsockProxy = await startVsockProxyStandIn({ remoteHost: "127.0.0.1", remotePort: kms.port, allowlist: [{ address: "127.0.0.1", port: kms.port }] });
  closers.push(() => vsockProxy.close());
  const caFile = join(stateDir, "ca", "ca.pem");
  const httpsAgent = new Agent({ ca: kms.caPem });
  const adminKms = new KMSClient({ region: setup.region, endpoint: kms.url, credentials: adminKeys, requestHandler: { httpsAgent } });
  assert.is.not(setup.pcr0, OTHER_PCR0);
  kmsKeyId = (await adminKms.send(new CreateKeyCommand({ Policy: JSON.stringify(localKeyPolicy(OTHER_PCR0)) }))).KeyMetadata!.KeyId!;
  adminKms.destroy();
  secrets = new SecretsManagerClient({ region: setup.region, endpoint: sm.url, credentials: adminKeys, requestHandler: { httpsAgent } });
  prefix = setup.secretPrefix;

  socket = join(dir.path, "signer.sock");
  statusFile = join(dir.path, "run", "status.json");
  const eif = join(dir.path, "signer.eif");
  await writeFile(eif, "not really an EIF");
  const fakeState = join(dir.path, "nitro");
  process.env.FAKE_NITRO_CLI_STATE = fakeState; // for this process's own nitro-cli calls (describe, cleanup)
  logSocket = join(dir.path, "enclave-logs.sock");
  signerLog = join(dir.path, "log", "signer.log");
  const signerArgs = ["--pki", setup.pkiFile, "--pcr", `0=${setup.pcr0}`, "--kms-proxy", vsockProxy.url, "--kms-ca", caFile, "--log-to", `unix://${logSocket}`];
  ({ service: daemon } = await spawnService("host-agent", process.execPath, [
    "--import", "tsx", join(ROOT, "host-agent/main_node.ts"), "daemon",
    "--signer", `unix://${socket}`,
    "--eif", eif,
    "--cpu-count", "2",
    "--memory-mib", "512",
    "--cid", "16",
    "--imds-endpoint", imds.url,
    "--secrets-endpoint", sm.url,
    "--secret-prefix", prefix,
    "--status-file", statusFile,
    "--enclave-logs", `unix://${logSocket}`,
    "--enclave-log-file", signerLog,
    "--watch-interval-ms", "100",
    "--restart-backoff-ms", "50",
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
  }));
  closers.push(async () => {
    await daemon.stop(10_000);
    await runCommand(join(FAKES_DIR, "nitro-cli"), ["terminate-enclave", "--all"]);
  });
});

test.after(async () => {
  if (process.env.TEST_VERBOSE) {
    const { readdir } = await import("node:fs/promises");
    for (const f of await readdir(join(dir.path, "nitro")).catch(() => [] as string[])) {
      if (f.endsWith(".log")) console.log(`--- ${f}\n${await readFile(join(dir.path, "nitro", f), "utf8")}`);
    }
  }
  secrets?.destroy();
  for (const close of closers.reverse()) await close().catch(() => {});
  await dir?.remove();
});

test("a key record sealed for another PCR0: after a restart the status file lists KMS_ACCESS_DENIED and is not ready", async () => {
  const first = await waitForStatus("ready with no key records", (s) => s.ready);
  assert.equal(first.keys!.failed, []);
  const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${socket}`)));
  const { address } = await generateKey({ signer, secrets, prefix, kmsKeyId }, { label: "other-image" });
  signer.close();
  const [running] = JSON.parse((await runCommand(join(FAKES_DIR, "nitro-cli"), ["describe-enclaves"])).stdout) as { ProcessID: number }[];
  process.kill(running!.ProcessID, "SIGKILL");

  const denied = await waitForStatus("a key load after the restart", (s) => s.restarts === 1 && s.keys !== null && s.keys.failed.length > 0);
  assert.is(denied.ready, false);
  assert.is(denied.state, "loading-keys");
  assert.is(denied.keys!.accounts, 0);
  assert.is(denied.keys!.failed.length, 1);
  assert.is(denied.keys!.failed[0]!.name.toLowerCase(), address.toLowerCase());
  assert.match(denied.keys!.failed[0]!.error, /^KMS_ACCESS_DENIED: /);
  assert.match(denied.lastError!, /1 key record\(s\) failed to load: KMS_ACCESS_DENIED/);
  assert.not.ok(isEnclaveReady(denied, Date.now()));
  // Retried with backoff, and still denied: never ready while the only key cannot be opened.
  const later = await waitForStatus("a retried key load", (s) => s.keys !== null && s.keys.at !== denied.keys!.at);
  assert.is(later.ready, false);
  assert.match(later.keys!.failed[0]!.error, /^KMS_ACCESS_DENIED: /);
  const fresh = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${socket}`)));
  try {
    assert.equal(await fresh.request("keys.list", {}), []);
  } finally {
    fresh.close();
  }
});

test.run();
