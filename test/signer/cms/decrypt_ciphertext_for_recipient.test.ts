import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testWithTool } from "../../helpers/missing_tool.ts";
import { CmsDecryptError, CmsMalformedError, CmsUnsupportedError } from "../../../signer/cms/cms_errors.ts";
// Through the signer's door, as the attested-keys issue named the export.
import { decryptCiphertextForRecipient } from "../../../signer/mod.ts";
import { encryptForRecipient } from "../../../local/kms/encrypt_for_recipient.ts";

/** uvu 0.5 has no `assert.rejects`. */
async function rejects(promise: Promise<unknown>, predicate: (e: unknown) => boolean): Promise<void> {
  try {
    await promise;
  } catch (e) {
    if (!predicate(e)) throw new assert.Assertion({ message: `Unexpected error: ${String(e)}`, operator: "rejects", actual: e, expects: "matching error", generated: true });
    return;
  }
  assert.unreachable("expected a rejection");
}

const hasOpenssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

// Made in test.before and removed in test.after, so a second run of the suite in the same process (the mutation
// runner reruns it for every mutant) gets its own directory: a before hook that throws makes uvu 0.5 report the
// suite as passed with no tests run.
let dir = "";
const OAEP_SHA256 = ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha256"];

function openssl(args: string[], input?: Uint8Array): Buffer {
  return execFileSync("openssl", args, { cwd: dir, input, stdio: ["pipe", "pipe", "pipe"] });
}

/** `openssl cms -encrypt` of `plaintext` to cert.pem; `extra` adds options (e.g. -keyid, -stream). */
function opensslEncrypt(plaintext: Uint8Array, extra: string[], keyopts = OAEP_SHA256, cipher = "-aes-256-cbc"): Uint8Array {
  writeFileSync(join(dir, "plain.bin"), plaintext);
  openssl(["cms", "-encrypt", "-in", "plain.bin", "-recip", "cert.pem", ...keyopts, cipher, "-binary", "-outform", "DER", "-out", "env.der", ...extra]);
  return new Uint8Array(readFileSync(join(dir, "env.der")));
}

async function importPrivateKey(pemFile: string, hash = "SHA-256"): Promise<CryptoKey> {
  const pem = readFileSync(join(dir, pemFile), "utf8");
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s+/g, ""), "base64");
  return crypto.subtle.importKey("pkcs8", der, { name: "RSA-OAEP", hash }, false, ["decrypt"]);
}

let privateKey: CryptoKey;
let otherKey: CryptoKey;

test.before(async () => {
  if (!hasOpenssl) return;
  dir = mkdtempSync(join(tmpdir(), "cms-interop-"));
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-subj", "/CN=cms-interop", "-days", "1"]);
  openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "other.pem"]);
  privateKey = await importPrivateKey("key.pem");
  otherKey = await importPrivateKey("other.pem");
});

test.after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = "";
});

// OpenSSL is the independent implementation these tests check against: without it they skip, except in CI
// (CI=true), where they fail (.ci/run installs it).
const guard = testWithTool(hasOpenssl, "openssl", "apt-get install openssl");

guard("decryptCiphertextForRecipient() decrypts an openssl cms -keyid envelope (primitive content) with a non-extractable key", async () => {
  assert.is(privateKey.extractable, false);
  const plaintext = crypto.getRandomValues(new Uint8Array(100));
  const envelope = opensslEncrypt(plaintext, ["-keyid"]);
  assert.equal(await decryptCiphertextForRecipient(envelope, privateKey), plaintext);
});

guard("decryptCiphertextForRecipient() decrypts an openssl cms -stream envelope (indefinite length, several chunks)", async () => {
  for (const size of [1, 15, 16, 17, 4096, 20_000]) {
    const plaintext = crypto.getRandomValues(new Uint8Array(size));
    const envelope = opensslEncrypt(plaintext, ["-keyid", "-stream"]);
    assert.equal(await decryptCiphertextForRecipient(envelope, privateKey), plaintext, `size ${size}`);
  }
});

guard("decryptCiphertextForRecipient() decrypts an empty plaintext (one block of padding)", async () => {
  const envelope = opensslEncrypt(new Uint8Array(0), ["-keyid"]);
  assert.equal(await decryptCiphertextForRecipient(envelope, privateKey), new Uint8Array(0));
});

guard("decryptCiphertextForRecipient() refuses openssl's default issuerAndSerialNumber form (EnvelopedData v0), which KMS never sends", async () => {
  const envelope = opensslEncrypt(new Uint8Array([1, 2, 3]), []);
  await rejects(decryptCiphertextForRecipient(envelope, privateKey), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "version");
});

guard("decryptCiphertextForRecipient() refuses RSAES-OAEP with SHA-1", async () => {
  const envelope = opensslEncrypt(new Uint8Array([1, 2, 3]), ["-keyid"], ["-keyopt", "rsa_padding_mode:oaep"]);
  await rejects(decryptCiphertextForRecipient(envelope, privateKey), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "hashAlgorithm");
});

guard("decryptCiphertextForRecipient() refuses an MGF1 hash other than SHA-256", async () => {
  const keyopts = ["-keyopt", "rsa_padding_mode:oaep", "-keyopt", "rsa_oaep_md:sha256", "-keyopt", "rsa_mgf1_md:sha384"];
  const envelope = opensslEncrypt(new Uint8Array([1, 2, 3]), ["-keyid"], keyopts);
  await rejects(decryptCiphertextForRecipient(envelope, privateKey), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "maskGenAlgorithm hash");
});

guard("decryptCiphertextForRecipient() refuses RSAES-PKCS1-v1_5 key transport", async () => {
  const envelope = opensslEncrypt(new Uint8Array([1, 2, 3]), ["-keyid"], []);
  await rejects(decryptCiphertextForRecipient(envelope, privateKey), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "keyEncryptionAlgorithm");
});

guard("decryptCiphertextForRecipient() refuses AES-128-CBC content", async () => {
  const envelope = opensslEncrypt(new Uint8Array([1, 2, 3]), ["-keyid"], OAEP_SHA256, "-aes-128-cbc");
  await rejects(decryptCiphertextForRecipient(envelope, privateKey), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "contentEncryptionAlgorithm");
});

guard("decryptCiphertextForRecipient() fails with CMS_DECRYPT_FAILED under another RSA key", async () => {
  const envelope = opensslEncrypt(new Uint8Array([1, 2, 3]), ["-keyid"]);
  await rejects(decryptCiphertextForRecipient(envelope, otherKey), (e: unknown) => e instanceof CmsDecryptError && e.code === "CMS_DECRYPT_FAILED");
});

guard("decryptCiphertextForRecipient() fails with CMS_DECRYPT_FAILED when the encrypted key is altered", async () => {
  const envelope = opensslEncrypt(new Uint8Array([1, 2, 3]), ["-keyid"]);
  const marker = Buffer.from(envelope).indexOf(Buffer.from([0x04, 0x82, 0x01, 0x00])); // OCTET STRING (256) encryptedKey
  assert.ok(marker > 0);
  envelope[marker + 4 + 100]! ^= 1;
  await rejects(decryptCiphertextForRecipient(envelope, privateKey), (e: unknown) => e instanceof CmsDecryptError);
});

test("decryptCiphertextForRecipient() decrypts multi-chunk constructed content from the KMS-shaped encryptor", async () => {
  const { publicKey, privateKey: key } = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["encrypt", "decrypt"],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", publicKey));
  const plaintext = crypto.getRandomValues(new Uint8Array(1000));
  for (const chunkBytes of [1, 7, 16, 333, 1024]) {
    const envelope = await encryptForRecipient(plaintext, spki, { chunkBytes });
    assert.equal(await decryptCiphertextForRecipient(envelope, key), plaintext, `chunkBytes ${chunkBytes}`);
  }
  const primitive = await encryptForRecipient(plaintext, spki, { encryptedContentForm: "primitive" });
  assert.equal(await decryptCiphertextForRecipient(primitive, key), plaintext);
});

test("decryptCiphertextForRecipient() refuses a key that is not RSA-OAEP/SHA-256 for decrypt", async () => {
  const { publicKey, privateKey: sha1Key } = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-1" },
    false,
    ["encrypt", "decrypt"],
  );
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", publicKey));
  const envelope = await encryptForRecipient(new Uint8Array([1]), spki);
  await rejects(decryptCiphertextForRecipient(envelope, sha1Key), (e) => e instanceof TypeError);
  await rejects(decryptCiphertextForRecipient(envelope, publicKey), (e) => e instanceof TypeError);
});

test("decryptCiphertextForRecipient() refuses input that is not a Uint8Array, and malformed BER", async () => {
  const { privateKey: key } = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["encrypt", "decrypt"],
  );
  await rejects(decryptCiphertextForRecipient([1, 2] as unknown as Uint8Array, key), (e) => e instanceof TypeError);
  await rejects(decryptCiphertextForRecipient(new Uint8Array([0x30, 0x80]), key), (e: unknown) => e instanceof CmsMalformedError);
});

test.run();
