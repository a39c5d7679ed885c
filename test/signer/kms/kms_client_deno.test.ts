import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testWithTool } from "../../helpers/missing_tool.ts";
import { createKmsClient } from "../../../signer/kms/create_kms_client.ts";
import { kmsConnectNode } from "../../../signer/kms/kms_connect_node.ts";
import { kmsDecryptForRecipient } from "../../../signer/kms/kms_decrypt_for_recipient.ts";
import { kmsEncrypt } from "../../../signer/kms/kms_encrypt.ts";
import { exportSimulatedPki } from "../../../signer/nsm/simulated/export_simulated_pki.ts";
import { APP, enclaveKeyPair, type KmsTestStack, PCR0_GOOD, startKmsTestStack } from "../../local/kms/kms_test_stack.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const deno = join(root, "node_modules", ".bin", "deno");
const CONTEXT = { app: APP, address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" };
let stack: KmsTestStack;
const dir = mkdtempSync(join(tmpdir(), "kms-deno-"));

test.before(async () => {
  stack = await startKmsTestStack();
});

test.after(async () => {
  await stack.close();
  rmSync(dir, { recursive: true, force: true });
});

function run(command: string, args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

// Deno is an npm dependency: missing, it is a broken install, which CI (CI=true) reports as a failure.
const smoke = testWithTool(existsSync(deno), `Deno (${deno})`, "npm install provides it");

smoke("under Deno, the signer's KMS client decrypts for a Recipient, gets random bytes and encrypts, over TLS through the vsock-proxy stand-in", async () => {
  const host = { accessKeyId: stack.creds.host.accessKeyId, secretAccessKey: stack.creds.host.secretAccessKey };
  const node = createKmsClient({ region: "us-east-1", credentials: host, connect: kmsConnectNode({ host: "127.0.0.1", port: stack.proxy.port }), caCertificates: [stack.kms.caPem] });
  try {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const ciphertext = await kmsEncrypt(node, { keyId: stack.keyId, plaintext: secret, encryptionContext: CONTEXT });
    const configPath = join(dir, "config.json");
    writeFileSync(configPath, JSON.stringify({
      region: "us-east-1",
      proxyPort: stack.proxy.port,
      caPem: stack.kms.caPem,
      ...host,
      keyId: stack.keyId,
      ciphertextB64: Buffer.from(ciphertext).toString("base64"),
      encryptionContext: CONTEXT,
      pkiJson: exportSimulatedPki(stack.pki),
      pcr0: PCR0_GOOD,
    }), { mode: 0o600 });
    const started = Date.now();
    const result = await run(deno, ["run", "-A", "test/signer/kms/kms_smoke_deno.ts"], { KMS_SMOKE_CONFIG: configPath });
    console.log(`  deno smoke: ${((Date.now() - started) / 1000).toFixed(1)}s`);
    assert.is(result.code, 0, `deno exited ${result.code}: ${result.stderr.slice(-2000)}`);
    const out = JSON.parse(result.stdout.trim().split("\n").pop()!) as { runtime: string; plaintextHex: string; randomLength: number; encryptedB64: string };
    assert.match(out.runtime, /^deno 2\./);
    assert.is(out.plaintextHex, Buffer.from(secret).toString("hex"));
    assert.is(out.randomLength, 16);
    // What Deno encrypted, Node decrypts (for an attested Recipient).
    const enclave = await enclaveKeyPair();
    const back = await kmsDecryptForRecipient(node, {
      ciphertext: new Uint8Array(Buffer.from(out.encryptedB64, "base64")),
      encryptionContext: CONTEXT,
      attestationDocument: await stack.nsm.attest({ publicKey: enclave.spki }),
      privateKey: enclave.privateKey,
    });
    assert.equal(back, secret);
  } finally {
    node.destroy();
  }
});

test.run();
