import { existsSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encryptForRecipient } from "../../../local/kms/encrypt_for_recipient.ts";
import { decryptCiphertextForRecipient } from "../../../signer/cms/decrypt_ciphertext_for_recipient.ts";
import { parseEnvelopedData } from "../../../signer/cms/parse_enveloped_data.ts";

const FIXTURE = new URL("../../../../shared/fixtures/kms/kms-recipient-constructed.der", import.meta.url);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

async function rsaKeyPair(bits = 2048) {
  const pair = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: bits, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["encrypt", "decrypt"],
  );
  return { ...pair, spki: new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey)) };
}

test("encryptForRecipient() round-trips through decryptCiphertextForRecipient()", async () => {
  const { spki, privateKey } = await rsaKeyPair();
  for (const size of [0, 1, 32, 4096]) {
    const plaintext = crypto.getRandomValues(new Uint8Array(size));
    assert.equal(await decryptCiphertextForRecipient(await encryptForRecipient(plaintext, spki), privateKey), plaintext);
  }
});

test("encryptForRecipient() sets rid to the 32-byte SHA-256 of the recipient SubjectPublicKeyInfo", async () => {
  const { spki } = await rsaKeyPair();
  const parsed = parseEnvelopedData(await encryptForRecipient(new Uint8Array([7]), spki));
  assert.is(hex(parsed.subjectKeyIdentifier), hex(new Uint8Array(await crypto.subtle.digest("SHA-256", spki))));
  assert.is(parsed.encryptedKey.length, 256);
});

if (existsSync(FIXTURE)) {
  test("encryptForRecipient() output has the byte layout of a real KMS envelope (same headers and algorithm identifiers)", async () => {
    const real = new Uint8Array(readFileSync(FIXTURE));
    const { spki } = await rsaKeyPair();
    // Same 32-byte plaintext size as the fixture's 48-byte encryptedContent, one chunk.
    const ours = await encryptForRecipient(new Uint8Array(32), spki);
    assert.is(ours.length, real.length);
    // ContentInfo … KeyTransRecipientInfo header up to the SKI, then keyEncryptionAlgorithm + encryptedKey header.
    assert.is(hex(ours.subarray(0, 33)), hex(real.subarray(0, 33)));
    assert.is(hex(ours.subarray(65, 131)), hex(real.subarray(65, 131)));
    // EncryptedContentInfo header and AES-256-CBC identifier up to the IV, then the chunk header and the end-of-contents.
    assert.is(hex(ours.subarray(387, 415)), hex(real.subarray(387, 415)));
    assert.is(hex(ours.subarray(431, 435)), hex(real.subarray(431, 435)));
    assert.is(hex(ours.subarray(483)), hex(real.subarray(483)));
  });
} else {
  console.log(`[skip] ${FIXTURE.pathname} absent; shape comparison with a real KMS envelope skipped`);
  test.skip("encryptForRecipient() output has the byte layout of a real KMS envelope (fixture absent)", () => {});
}

test("encryptForRecipient() can emit the primitive encryptedContent form", async () => {
  const { spki, privateKey } = await rsaKeyPair();
  const envelope = await encryptForRecipient(new Uint8Array([1, 2, 3]), spki, { encryptedContentForm: "primitive" });
  assert.equal(await decryptCiphertextForRecipient(envelope, privateKey), new Uint8Array([1, 2, 3]));
});

test("encryptForRecipient() refuses a public key that is not RSA SubjectPublicKeyInfo, or too small", async () => {
  const failures: unknown[] = [];
  for (const bad of [new Uint8Array([1, 2, 3]), "x" as unknown as Uint8Array]) {
    await encryptForRecipient(new Uint8Array(1), bad).catch((e) => failures.push(e));
  }
  const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign"]);
  await encryptForRecipient(new Uint8Array(1), new Uint8Array(await crypto.subtle.exportKey("spki", ec.publicKey))).catch((e) => failures.push(e));
  const small = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 1024, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["encrypt", "decrypt"],
  );
  await encryptForRecipient(new Uint8Array(1), new Uint8Array(await crypto.subtle.exportKey("spki", small.publicKey))).catch((e) => failures.push(e));
  assert.is(failures.length, 4);
  assert.ok(failures.slice(0, 3).every((e) => e instanceof TypeError));
  assert.instance(failures[3], RangeError);
});

test.run();
