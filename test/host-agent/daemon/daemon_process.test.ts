import { test } from "uvu";
import * as assert from "uvu/assert";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { readFile, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recoverTransactionAddress } from "viem";
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

// End to end: `host-agent daemon` as a real process, with everything an instance has stood in for locally —
// IMDSv2 (the role credentials every other stand-in accepts), KMS with a PCR0-bound key policy and attestation
// checks, Secrets Manager, the vsock-proxy (a TCP forwarder), and a fake nitro-cli whose enclave is the real Deno
// signer (simulated NSM reporting the approved PCR0) on a Unix socket. A key is generated, the enclave crashes,
// and the daemon brings it back with the key reloaded through KMS before it reports ready again. The signer's
// log lines come back to the daemon's receiver over a Unix socket, as they do over vsock on an instance.
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
  dir = await tempDir("daemon-");
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
  kmsKeyId = (await adminKms.send(new CreateKeyCommand({ Policy: JSON.stringify(localKeyPolicy(setup.pcr0)) }))).KeyMetadata!.KeyId!;
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

test("the daemon starts the enclave, pushes IMDS credentials, and reports ready (region from IMDS)", async () => {
  const status = await waitForStatus("ready", (s) => s.ready);
  assert.is(status.state, "ready");
  assert.is(status.keys!.accounts, 0);
  assert.equal(status.keys!.failed, []);
  // IMDS writes Expiration in whole seconds.
  assert.is(status.credentialsExpireAt, new Date(Math.floor(imds.issued().at(-1)!.expiration / 1000) * 1000).toISOString());
  assert.ok(isEnclaveReady(status, Date.now()));
  assert.ok(imds.requests.every((r) => r.method === "PUT" || r.token === "valid"), "IMDSv2 only");
  assert.ok(logs.some((l) => l.includes('"event":"keys-loaded"')));
});

test("after a crash the enclave is restarted and every key record is loaded again through KMS before ready", async () => {
  const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${socket}`)));
  const { address } = await generateKey({ signer, secrets, prefix, kmsKeyId }, { label: "e2e" });
  signer.close();
  const before = (await waitForStatus("ready", (s) => s.ready))!;
  const [running] = JSON.parse((await runCommand(join(FAKES_DIR, "nitro-cli"), ["describe-enclaves"])).stdout) as { ProcessID: number }[];
  process.kill(running!.ProcessID, "SIGKILL");

  const after = await waitForStatus("ready after the restart", (s) => s.ready && s.restarts === 1);
  assert.is.not(after.enclave!.id, before.enclave!.id);
  assert.is(after.keys!.accounts, 1);

  const fresh = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${socket}`)));
  try {
    assert.equal(await fresh.request("keys.list", {}), [{ address, label: "e2e", policy: { kind: "unrestricted" } }]);
    const { raw } = await fresh.request("sign.transaction", {
      address,
      transaction: { type: "0x2", chainId: "0x1", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: address, value: "0x0" },
    });
    assert.is(await recoverTransactionAddress({ serializedTransaction: raw as `0x02${string}` }), address);
  } finally {
    fresh.close();
  }
});

test("the enclave's log lines reach the parent's signer.log through the daemon's receiver, from both enclave runs", async () => {
  const lines = await waitFor(async () => {
    const text = await readFile(signerLog, "utf8").catch(() => "");
    const parsed = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    return parsed.filter((l) => l.event === "listening").length >= 2 ? parsed : undefined;
  }, "two listening lines in signer.log", 30_000, () => logs.slice(-15).join("\n"));
  assert.ok(lines.every((l) => l.service === "signer"));
  assert.ok(lines.some((l) => l.event === "listening" && l.logTo === `unix://${logSocket}`));
});

test("SIGTERM stops the daemon cleanly: exit 0, the enclave terminated, status 'stopped' and not ready", async () => {
  await daemon.stop(10_000);
  assert.is(await daemon.exited, 0);
  const status = (await readStatus())!;
  assert.is(status.state, "stopped");
  assert.is(status.ready, false);
  assert.not.ok(isEnclaveReady(status, Date.now()));
  assert.equal(JSON.parse((await runCommand(join(FAKES_DIR, "nitro-cli"), ["describe-enclaves"])).stdout), []);
  const calls = await nitroCliCalls(join(dir.path, "nitro"));
  assert.ok(calls.filter((args) => args[0] === "run-enclave").length === 2);
});

test.run();
