import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { recoverTransactionAddress } from "viem";
import { createSignerClient } from "../../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { isEnclaveReady } from "../../../host-agent/enclave/enclave_status.ts";
import { generateKey } from "../../../host-agent/keys/generate_key.ts";
import { runCommand } from "../../../host-agent/daemon/run_command_node.ts";
import { startDaemonFixture, type DaemonFixture } from "../helpers/daemon_fixture.ts";
import { FAKES_DIR, nitroCliCalls, waitFor } from "../helpers/fake_enclave.ts";

// End to end: `host-agent daemon` as a real process, with everything an instance has stood in for locally —
// IMDSv2 (the role credentials every other stand-in accepts), KMS with a PCR0-bound key policy and attestation
// checks, Secrets Manager, the vsock-proxy (a TCP forwarder), and a fake nitro-cli whose enclave is the real Deno
// signer (simulated NSM reporting the approved PCR0) on a Unix socket. A key is generated, the enclave crashes,
// and the daemon brings it back with the key reloaded through KMS before it reports ready again. The signer's
// log lines come back to the daemon's receiver over a Unix socket, as they do over vsock on an instance.
let f: DaemonFixture;

test.before(async () => {
  f = await startDaemonFixture({ tempPrefix: "daemon-" });
});
test.after(() => f?.stop());

test("the f.daemon starts the enclave, pushes IMDS credentials, and reports ready (region from IMDS)", async () => {
  const status = await f.waitForStatus("ready", (s) => s.ready);
  assert.is(status.state, "ready");
  assert.is(status.keys!.accounts, 0);
  assert.equal(status.keys!.failed, []);
  // IMDS writes Expiration in whole seconds.
  assert.is(status.credentialsExpireAt, new Date(Math.floor(f.imds.issued().at(-1)!.expiration / 1000) * 1000).toISOString());
  assert.ok(isEnclaveReady(status, Date.now()));
  assert.ok(f.imds.requests.every((r) => r.method === "PUT" || r.token === "valid"), "IMDSv2 only");
  assert.ok(f.logs.some((l) => l.includes('"event":"keys-loaded"')));
});

test("after a crash the enclave is restarted and every key record is loaded again through KMS before ready", async () => {
  const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${f.socket}`)));
  const { address } = await generateKey({ signer, secrets: f.secrets, prefix: f.prefix, kmsKeyId: f.kmsKeyId }, { label: "e2e" });
  signer.close();
  const before = (await f.waitForStatus("ready", (s) => s.ready))!;
  const [running] = JSON.parse((await runCommand(join(FAKES_DIR, "nitro-cli"), ["describe-enclaves"])).stdout) as { ProcessID: number }[];
  process.kill(running!.ProcessID, "SIGKILL");

  const after = await f.waitForStatus("ready after the restart", (s) => s.ready && s.restarts === 1);
  assert.is.not(after.enclave!.id, before.enclave!.id);
  assert.is(after.keys!.accounts, 1);

  const fresh = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${f.socket}`)));
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

test("the enclave's log lines reach the parent's signer.log through the f.daemon's receiver, from both enclave runs", async () => {
  const lines = await waitFor(async () => {
    const text = await readFile(f.signerLog, "utf8").catch(() => "");
    const parsed = text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    return parsed.filter((l) => l.event === "listening").length >= 2 ? parsed : undefined;
  }, "two listening lines in signer.log", 30_000, () => f.logs.slice(-15).join("\n"));
  assert.ok(lines.every((l) => l.service === "signer"));
  assert.ok(lines.some((l) => l.event === "listening" && l.logTo === `unix://${f.logSocket}`));
});

test("SIGTERM stops the f.daemon cleanly: exit 0, the enclave terminated, status 'stopped' and not ready", async () => {
  await f.daemon.stop(10_000);
  assert.is(await f.daemon.exited, 0);
  const status = (await f.readStatus())!;
  assert.is(status.state, "stopped");
  assert.is(status.ready, false);
  assert.not.ok(isEnclaveReady(status, Date.now()));
  assert.equal(JSON.parse((await runCommand(join(FAKES_DIR, "nitro-cli"), ["describe-enclaves"])).stdout), []);
  const calls = await nitroCliCalls(join(f.dir.path, "nitro"));
  assert.ok(calls.filter((args) => args[0] === "run-enclave").length === 2);
});

test.run();
