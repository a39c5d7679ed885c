import { execFileSync } from "node:child_process";
import { createPrivateKey, createPublicKey } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { testWithTool } from "../../helpers/missing_tool.ts";
import { CmsDecryptError, CmsMalformedError, CmsUnsupportedError } from "../../../signer/cms/cms_errors.ts";
// Through the signer's door, as the attested-keys issue named the export.
import { decryptCiphertextForRecipient } from "../../../signer/mod.ts";
import { parseEnvelopedData } from "../../../signer/cms/parse_enveloped_data.ts";
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

// ── Refusals a caller sees, each with its exact message or details (issue 20: mutants that survived) ──

const FIXTURE_KEYS = new URL("./fixtures/", import.meta.url);
const RSA_2048 = { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" } as const;

/** Module-level, made once per process: RSA key generation is the slow part of these tests. */
const key2048 = crypto.subtle.generateKey(RSA_2048, false, ["encrypt", "decrypt"]);
const spki2048 = key2048.then(async (k) => new Uint8Array(await crypto.subtle.exportKey("spki", k.publicKey)));

/** A committed test-only key (fixtures/README.md): as a WebCrypto private key and its SubjectPublicKeyInfo DER. */
async function fixtureKey(bits: 4096 | 4104): Promise<{ privateKey: CryptoKey; spki: Uint8Array }> {
  const pem = readFileSync(new URL(`test-only-rsa-${bits}.pem`, FIXTURE_KEYS), "utf8");
  const keyObject = createPrivateKey(pem);
  const pkcs8 = keyObject.export({ type: "pkcs8", format: "der" });
  const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["decrypt"]);
  return { privateKey, spki: new Uint8Array(createPublicKey(keyObject).export({ type: "spki", format: "der" })) };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, Error);
    return error as Error;
  }
  throw new assert.Assertion({ message: "expected a rejection", generated: false, operator: "rejects", expects: "", actual: "" });
}

test("decryptCiphertextForRecipient() refuses what is not a Uint8Array before parsing, with its own message", async () => {
  const { privateKey: key } = await key2048;
  for (const input of [[0x30, 0x80], "3080", undefined]) {
    const error = await rejection(decryptCiphertextForRecipient(input as unknown as Uint8Array, key));
    assert.instance(error, TypeError);
    assert.is(error.message, "Cannot decrypt CMS envelope: expected a Uint8Array");
  }
});

test("decryptCiphertextForRecipient() refuses a key that is not a CryptoKey, or not an RSA-OAEP SHA-256 private key for decrypt", async () => {
  const spki = await spki2048;
  const envelope = await encryptForRecipient(new Uint8Array([1]), spki);
  const lookalike = { type: "private", extractable: false, algorithm: { name: "RSA-OAEP", modulusLength: 2048, hash: { name: "SHA-256" } }, usages: ["decrypt"] };
  const notCryptoKey = await rejection(decryptCiphertextForRecipient(envelope, lookalike as unknown as CryptoKey));
  assert.instance(notCryptoKey, TypeError);
  assert.is(notCryptoKey.message, "Cannot decrypt CMS envelope: privateKey is not a CryptoKey");

  const wrongKind = "Cannot decrypt CMS envelope: privateKey must be an RSA-OAEP SHA-256 private key usable for decrypt";
  const { publicKey } = await key2048;
  const { privateKey: pssKey } = await crypto.subtle.generateKey({ ...RSA_2048, name: "RSA-PSS" }, false, ["sign", "verify"]);
  const { privateKey: sha1Key } = await crypto.subtle.generateKey({ ...RSA_2048, hash: "SHA-1" }, false, ["decrypt"]);
  const { privateKey: unwrapOnly } = await crypto.subtle.generateKey(RSA_2048, false, ["unwrapKey"]);
  const aesKey = await crypto.subtle.generateKey({ name: "AES-CBC", length: 256 }, false, ["decrypt"]);
  for (const [what, key] of [["public", publicKey], ["RSA-PSS", pssKey], ["SHA-1", sha1Key], ["unwrapKey only", unwrapOnly], ["AES", aesKey]] as const) {
    const error = await rejection(decryptCiphertextForRecipient(envelope, key));
    assert.instance(error, TypeError, what);
    assert.is(error.message, wrongKind, what);
  }
});

test("decryptCiphertextForRecipient() takes RSA moduli of 2048..4096 bits in whole bytes, and refuses 1024, 2049 and 4104", async () => {
  const plaintext = new Uint8Array([7, 7, 7]);
  const { privateKey: key4096, spki } = await fixtureKey(4096);
  assert.equal(await decryptCiphertextForRecipient(await encryptForRecipient(plaintext, spki), key4096), plaintext);
  const envelope = await encryptForRecipient(plaintext, await spki2048);
  const { privateKey: key1024 } = await crypto.subtle.generateKey({ ...RSA_2048, modulusLength: 1024 }, false, ["decrypt"]);
  const { privateKey: key2049 } = await crypto.subtle.generateKey({ ...RSA_2048, modulusLength: 2049 }, false, ["decrypt"]);
  const { privateKey: key4104 } = await fixtureKey(4104);
  for (const [bits, key] of [[1024, key1024], [2049, key2049], [4104, key4104]] as const) {
    const error = await rejection(decryptCiphertextForRecipient(envelope, key));
    assert.instance(error, TypeError, `${bits}`);
    assert.is(error.message, `Cannot decrypt CMS envelope: RSA modulus of ${bits} bits is outside 2048..4096`);
  }
});

test("decryptCiphertextForRecipient() refuses an encryptedKey whose length is not the key's modulus (RFC 8017 §7.1.2 1b) before decrypting", async () => {
  const { spki } = await fixtureKey(4096);
  const { privateKey: key } = await key2048;
  const error = await rejection(decryptCiphertextForRecipient(await encryptForRecipient(new Uint8Array([1]), spki), key));
  assert.instance(error, CmsDecryptError);
  assert.is((error as CmsDecryptError).code, "CMS_DECRYPT_FAILED");
  assert.is((error as CmsDecryptError).details, "encryptedKey length 512, key modulus 256");
  assert.is((error as CmsDecryptError).shortMessage, "Cannot decrypt CMS envelope");
});

/** `envelope` with its encryptedKey replaced by `replacement` (same length), found by its bytes. */
function withEncryptedKey(envelope: Uint8Array, encryptedKey: Uint8Array, replacement: Uint8Array): Uint8Array {
  const at = Buffer.from(envelope).indexOf(Buffer.from(encryptedKey));
  assert.ok(at > 0 && replacement.length === encryptedKey.length);
  const copy = envelope.slice();
  copy.set(replacement, at);
  return copy;
}

test("decryptCiphertextForRecipient() refuses a content-encryption key that is not 32 bytes (AES-128 under OAEP)", async () => {
  const { privateKey: key, publicKey } = await key2048;
  const envelope = await encryptForRecipient(new Uint8Array(40), await spki2048, { encryptedContentForm: "primitive" });
  const { encryptedKey } = parseEnvelopedData(envelope);
  for (const length of [16, 24, 33]) {
    const wrapped = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, publicKey, new Uint8Array(length)));
    const error = await rejection(decryptCiphertextForRecipient(withEncryptedKey(envelope, encryptedKey, wrapped), key));
    assert.instance(error, CmsDecryptError);
    assert.is((error as CmsDecryptError).details, `content-encryption key length ${length}, expected 32`);
  }
});

test("decryptCiphertextForRecipient() fails under another RSA key with the OAEP failure as cause and no details (no oracle)", async () => {
  const { privateKey: otherKey2048 } = await crypto.subtle.generateKey(RSA_2048, false, ["decrypt"]);
  const envelope = await encryptForRecipient(new Uint8Array([1, 2, 3]), await spki2048);
  const error = (await rejection(decryptCiphertextForRecipient(envelope, otherKey2048))) as CmsDecryptError;
  assert.instance(error, CmsDecryptError);
  assert.is(error.message, "Cannot decrypt CMS envelope");
  assert.is(error.details, undefined);
  assert.is((error.cause as Error | undefined)?.name, "OperationError");
});

test("decryptCiphertextForRecipient() fails on altered content (bad PKCS#7 padding) with the AES failure as cause, never returning bytes", async () => {
  const { privateKey: key } = await key2048;
  // 1000 bytes: the last block ends in 8 bytes of padding 0x08. Flipping the last byte of the block before it
  // turns the last padding byte into 0x09, which the 0x08 bytes before it contradict.
  const envelope = await encryptForRecipient(crypto.getRandomValues(new Uint8Array(1000)), await spki2048, { encryptedContentForm: "primitive" });
  const { encryptedContent } = parseEnvelopedData(envelope);
  assert.is(encryptedContent.length, 1008);
  const at = Buffer.from(envelope).indexOf(Buffer.from(encryptedContent));
  const altered = envelope.slice();
  altered[at + encryptedContent.length - 17]! ^= 1;
  const error = (await rejection(decryptCiphertextForRecipient(altered, key))) as CmsDecryptError;
  assert.instance(error, CmsDecryptError);
  assert.is(error.message, "Cannot decrypt CMS envelope");
  assert.is((error.cause as Error | undefined)?.name, "OperationError");
});

test("decryptCiphertextForRecipient() imports the content key non-extractable and zeroes the unwrapped key bytes", async () => {
  const { privateKey: key } = await key2048;
  const envelope = await encryptForRecipient(new Uint8Array([5, 6]), await spki2048);
  const subtle = crypto.subtle as SubtleCrypto & { importKey: SubtleCrypto["importKey"] };
  const original = subtle.importKey;
  const seen: { raw: Uint8Array; key: CryptoKey }[] = [];
  subtle.importKey = (async (format: KeyFormat, data: BufferSource, ...rest: unknown[]) => {
    const imported = await (original as (...a: unknown[]) => Promise<CryptoKey>).call(subtle, format, data, ...rest);
    if (format === "raw") seen.push({ raw: data as Uint8Array, key: imported });
    return imported;
  }) as SubtleCrypto["importKey"];
  try {
    assert.equal(await decryptCiphertextForRecipient(envelope, key), new Uint8Array([5, 6]));
  } finally {
    delete (subtle as { importKey?: unknown }).importKey;
    if (subtle.importKey !== original) subtle.importKey = original;
  }
  assert.is(seen.length, 1);
  assert.is(seen[0]!.raw.length, 32);
  assert.ok(seen[0]!.raw.every((b) => b === 0), "the AES key bytes are zeroed after import");
  assert.is(seen[0]!.key.extractable, false);
  assert.equal(seen[0]!.key.usages, ["decrypt"]);
});

test.run();
