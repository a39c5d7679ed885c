import { existsSync, readFileSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CmsMalformedError, CmsUnsupportedError } from "../../../signer/cms/cms_errors.ts";
import { parseEnvelopedData } from "../../../signer/cms/parse_enveloped_data.ts";

const FIXTURES = new URL("../../../../shared/fixtures/kms/", import.meta.url);
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const fromHex = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ""), "hex"));

if (!existsSync(new URL("expected-fields.json", FIXTURES))) {
  console.log(`[skip] KMS envelope fixtures absent at ${FIXTURES.pathname}; real-KMS parsing tests skipped`);
  test.skip("parseEnvelopedData() extracts the fields of real KMS envelopes (fixtures absent)", () => {});
} else {
  const expected = JSON.parse(readFileSync(new URL("expected-fields.json", FIXTURES), "utf8")) as Record<
    string,
    { encryptedKey: string; iv: string; encryptedContent: string; berLength: number }
  >;
  for (const [file, fields] of Object.entries(expected)) {
    test(`parseEnvelopedData() extracts exactly the expected fields of real KMS envelope ${file}`, () => {
      const ber = new Uint8Array(readFileSync(new URL(file, FIXTURES)));
      assert.is(ber.length, fields.berLength);
      const parsed = parseEnvelopedData(ber);
      assert.is(hex(parsed.encryptedKey), fields.encryptedKey);
      assert.is(hex(parsed.iv), fields.iv);
      assert.is(hex(parsed.encryptedContent), fields.encryptedContent);
      assert.is(parsed.version, 2);
      assert.is(parsed.subjectKeyIdentifier.length, 32);
      assert.is(parsed.keyEncryptionAlgorithm, "RSAES_OAEP_SHA_256");
      assert.is(parsed.contentEncryptionAlgorithm, "AES_256_CBC");
    });
  }

  test("parseEnvelopedData() refuses a real KMS envelope with trailing bytes", () => {
    const ber = new Uint8Array(readFileSync(new URL("kms-recipient-primitive.der", FIXTURES)));
    const padded = new Uint8Array(ber.length + 1);
    padded.set(ber);
    assert.throws(() => parseEnvelopedData(padded), (e: unknown) => e instanceof CmsMalformedError && /after/.test(e.message));
  });

  test("parseEnvelopedData() refuses every truncation of a real KMS envelope", () => {
    const ber = new Uint8Array(readFileSync(new URL("kms-recipient-constructed.der", FIXTURES)));
    for (let length = 1; length < ber.length; length++) {
      assert.throws(
        () => parseEnvelopedData(ber.subarray(0, length)),
        (e: unknown) => e instanceof CmsMalformedError || e instanceof CmsUnsupportedError,
        `truncated to ${length}`,
      );
    }
  });

  test("parseEnvelopedData() refuses a real KMS envelope whose EnvelopedData version is changed to 0", () => {
    const ber = new Uint8Array(readFileSync(new URL("kms-recipient-constructed.der", FIXTURES)));
    const copy = ber.slice();
    // Offset 17: INTEGER 02 (EnvelopedData.version), per `openssl asn1parse`.
    assert.is(hex(copy.subarray(15, 20)), "3080020102");
    copy[19] = 0;
    assert.throws(() => parseEnvelopedData(copy), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "version");
  });

  test("parseEnvelopedData() refuses a real KMS envelope whose OAEP hash is changed to SHA-384", () => {
    const ber = new Uint8Array(readFileSync(new URL("kms-recipient-constructed.der", FIXTURES)));
    const copy = ber.slice();
    // Offset 84: OID sha256 (…04 02 01) in hashAlgorithm; sha384 is …04 02 02.
    assert.is(hex(copy.subarray(84, 95)), "0609608648016503040201");
    copy[94] = 2;
    assert.throws(() => parseEnvelopedData(copy), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "hashAlgorithm");
  });
}

test("parseEnvelopedData() refuses input that is not a Uint8Array", () => {
  assert.throws(() => parseEnvelopedData("3080" as unknown as Uint8Array), TypeError);
});

test("parseEnvelopedData() refuses empty input with a typed error", () => {
  assert.throws(() => parseEnvelopedData(new Uint8Array()), (e: unknown) => e instanceof CmsMalformedError && e.code === "CMS_MALFORMED");
});

test("parseEnvelopedData() refuses input above 64 KiB before parsing", () => {
  assert.throws(() => parseEnvelopedData(new Uint8Array(64 * 1024 + 1)), (e: unknown) => e instanceof CmsMalformedError && /exceeds/.test(e.message));
});

test("parseEnvelopedData() refuses bytes that are not BER", () => {
  assert.throws(() => parseEnvelopedData(fromHex("ffffffff")), (e: unknown) => e instanceof CmsMalformedError);
});

test("parseEnvelopedData() refuses a ContentInfo of another content type (id-data)", () => {
  // ContentInfo { id-data, [0] EXPLICIT OCTET STRING "x" }
  const ber = fromHex("3010 0609 2a864886f70d010701 a003 040178");
  assert.throws(() => parseEnvelopedData(ber), (e: unknown) => e instanceof CmsUnsupportedError && e.field === "contentType");
});

test.run();
