import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { createSignerClient } from "../../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { isEnclaveReady } from "../../../host-agent/enclave/enclave_status.ts";
import { generateKey } from "../../../host-agent/keys/generate_key.ts";
import { runCommand } from "../../../host-agent/daemon/run_command_node.ts";
import { startDaemonFixture, type DaemonFixture } from "../helpers/daemon_fixture.ts";
import { FAKES_DIR } from "../helpers/fake_enclave.ts";

// `host-agent daemon` as a real process on the same local stand-ins as daemon_process.test.ts (IMDSv2, KMS with
// attestation checks, Secrets Manager, the vsock-proxy, a fake nitro-cli running the real Deno signer), but its
// only key record is sealed under a KMS key whose policy names another PCR0 than the enclave's. Encrypt is
// allowed (it does not depend on the enclave), so the key is generated and stored; after the enclave restarts,
// real key loading (keys.load → KMS Decrypt with the attestation document) is denied, and the status file must
// say so: KMS_ACCESS_DENIED for that record, and not ready (a signer holding no key must leave rotation).
/** A PCR0 that is not the enclave's: the image a key policy approved, but not the one running. */
const OTHER_PCR0 = "ab".repeat(48);
let f: DaemonFixture;

test.before(async () => {
  f = await startDaemonFixture({ tempPrefix: "daemon-denied-", keyPolicyPcr0: OTHER_PCR0 });
});
test.after(() => f?.stop());

test("a key record sealed for another PCR0: after a restart the status file lists KMS_ACCESS_DENIED and is not ready", async () => {
  const first = await f.waitForStatus("ready with no key records", (s) => s.ready);
  assert.equal(first.keys!.failed, []);
  const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${f.socket}`)));
  const { address } = await generateKey({ signer, secrets: f.secrets, prefix: f.prefix, kmsKeyId: f.kmsKeyId }, { label: "other-image" });
  signer.close();
  const [running] = JSON.parse((await runCommand(join(FAKES_DIR, "nitro-cli"), ["describe-enclaves"])).stdout) as { ProcessID: number }[];
  process.kill(running!.ProcessID, "SIGKILL");

  const denied = await f.waitForStatus("a key load after the restart", (s) => s.restarts === 1 && s.keys !== null && s.keys.failed.length > 0);
  assert.is(denied.ready, false);
  assert.is(denied.state, "loading-keys");
  assert.is(denied.keys!.accounts, 0);
  assert.is(denied.keys!.failed.length, 1);
  assert.is(denied.keys!.failed[0]!.name.toLowerCase(), address.toLowerCase());
  assert.match(denied.keys!.failed[0]!.error, /^KMS_ACCESS_DENIED: /);
  assert.match(denied.lastError!, /1 key record\(s\) failed to load: KMS_ACCESS_DENIED/);
  assert.not.ok(isEnclaveReady(denied, Date.now()));
  // Retried with backoff, and still denied: never ready while the only key cannot be opened.
  const later = await f.waitForStatus("a retried key load", (s) => s.keys !== null && s.keys.at !== denied.keys!.at);
  assert.is(later.ready, false);
  assert.match(later.keys!.failed[0]!.error, /^KMS_ACCESS_DENIED: /);
  const fresh = createSignerClient(() => nodeTransport.connect(parseSignerAddress(`unix://${f.socket}`)));
  try {
    assert.equal(await fresh.request("keys.list", {}), []);
  } finally {
    fresh.close();
  }
});

test.run();
