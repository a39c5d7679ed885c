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

// ── A DER builder for the KMS profile, to change one field at a time (issue 20: mutants that survived) ──
// Written from RFC 5652 §6 and RFC 4055 §4.1 (EXPLICIT tags), independently of the parser's asn1js/pkijs.

const cat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = cat(...content);
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return cat(new Uint8Array([tag, ...length]), body);
}
const seq = (...content: Uint8Array[]) => tlv(0x30, ...content);
const int = (value: number) => tlv(0x02, new Uint8Array([value]));
const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
const NULL = fromHex("0500");
const OID = {
  envelopedData: fromHex("06092a864886f70d010703"),
  data: fromHex("06092a864886f70d010701"),
  rsaEncryption: fromHex("06092a864886f70d010101"),
  rsaesOaep: fromHex("06092a864886f70d010107"),
  mgf1: fromHex("06092a864886f70d010108"),
  pSpecified: fromHex("06092a864886f70d010109"),
  sha256: fromHex("0609608648016503040201"),
  sha384: fromHex("0609608648016503040202"),
  aes128Cbc: fromHex("0609608648016503040102"),
  aes256Cbc: fromHex("060960864801650304012a"),
  commonName: fromHex("0603550403"),
};
const SHA256 = seq(OID.sha256, NULL);
const SKI = new Uint8Array(32).fill(0x5a);
const IV = Uint8Array.from({ length: 16 }, (_, i) => i);
const CONTENT = Uint8Array.from({ length: 48 }, (_, i) => 100 + i);
/** RSAES-OAEP-params: [0] hashAlgorithm, [1] maskGenAlgorithm, optionally [2] pSourceAlgorithm (RFC 4055 §4.1). */
const oaep = (o: { hash?: Uint8Array; mgf?: Uint8Array; pSource?: Uint8Array } = {}) =>
  seq(OID.rsaesOaep, seq(tlv(0xa0, o.hash ?? SHA256), tlv(0xa1, o.mgf ?? seq(OID.mgf1, SHA256)), ...(o.pSource ? [tlv(0xa2, o.pSource)] : [])));

type Parts = {
  contentType?: Uint8Array; version?: number; recipients?: Uint8Array[]; ktriVersion?: number; rid?: Uint8Array;
  keyEncryption?: Uint8Array; encryptedKey?: Uint8Array; eciContentType?: Uint8Array; contentEncryption?: Uint8Array;
  /** The whole `[0]` encryptedContent TLV; null leaves it out. */
  encryptedContent?: Uint8Array | null;
};
const ktri = (p: Parts = {}) =>
  seq(int(p.ktriVersion ?? 2), p.rid ?? tlv(0x80, SKI), p.keyEncryption ?? oaep(), octets(p.encryptedKey ?? new Uint8Array(256).fill(0xab)));
/** ContentInfo → EnvelopedData v2 → one KeyTransRecipientInfo v2 → AES-256-CBC content: the KMS profile. */
const envelope = (p: Parts = {}) =>
  seq(
    p.contentType ?? OID.envelopedData,
    tlv(0xa0, seq(
      int(p.version ?? 2),
      tlv(0x31, ...(p.recipients ?? [ktri(p)])),
      seq(p.eciContentType ?? OID.data, p.contentEncryption ?? seq(OID.aes256Cbc, octets(IV)), ...(p.encryptedContent === null ? [] : [p.encryptedContent ?? tlv(0x80, CONTENT)])),
    )),
  );

function refusal(ber: unknown): CmsMalformedError | CmsUnsupportedError {
  try {
    parseEnvelopedData(ber as Uint8Array);
  } catch (error) {
    if (error instanceof CmsMalformedError || error instanceof CmsUnsupportedError) return error;
    throw error;
  }
  throw new assert.Assertion({ message: "expected a refusal", generated: false, operator: "throws", expects: "", actual: "" });
}
function malformed(ber: Uint8Array, message: string, what = message): void {
  const error = refusal(ber);
  assert.instance(error, CmsMalformedError, what);
  assert.is(error.code, "CMS_MALFORMED", what);
  assert.is(error.message, `Cannot parse CMS envelope: ${message}`, what);
}
function unsupported(ber: Uint8Array, field: string, message: string): void {
  const error = refusal(ber);
  assert.instance(error, CmsUnsupportedError, `${field} ${message}`);
  assert.is(error.code, "CMS_UNSUPPORTED");
  assert.is((error as CmsUnsupportedError).field, field);
  assert.is(error.message, `Unsupported CMS envelope: ${field} ${message}`);
}

test("the builder's envelope is the KMS profile: parseEnvelopedData() returns its fields", () => {
  const parsed = parseEnvelopedData(envelope());
  assert.equal(parsed, {
    version: 2, subjectKeyIdentifier: SKI, keyEncryptionAlgorithm: "RSAES_OAEP_SHA_256", encryptedKey: new Uint8Array(256).fill(0xab),
    contentEncryptionAlgorithm: "AES_256_CBC", iv: IV, encryptedContent: CONTENT,
  });
});

test("parseEnvelopedData() returns copies: changing the input afterwards changes none of the fields", () => {
  const ber = envelope();
  const parsed = parseEnvelopedData(ber);
  ber.fill(0);
  // Each field owns exactly its bytes: its ArrayBuffer (what WebCrypto or a transfer sees) holds nothing else.
  for (const field of ["subjectKeyIdentifier", "encryptedKey", "iv", "encryptedContent"] as const) {
    assert.is(parsed[field].buffer.byteLength, parsed[field].length, field);
  }
  assert.equal(parsed.subjectKeyIdentifier, SKI);
  assert.equal(parsed.encryptedKey, new Uint8Array(256).fill(0xab));
  assert.equal(parsed.iv, IV);
  assert.equal(parsed.encryptedContent, CONTENT);
});

test("parseEnvelopedData() refusals before parsing: not bytes, empty, above 64 KiB; exactly 64 KiB is parsed", () => {
  for (const input of ["3080", [0x30, 0x80], undefined]) {
    try {
      parseEnvelopedData(input as unknown as Uint8Array);
      assert.unreachable("accepted");
    } catch (error) {
      assert.instance(error, TypeError);
      assert.is((error as Error).message, "Cannot parse CMS envelope: expected a Uint8Array");
    }
  }
  malformed(new Uint8Array(0), "length 0");
  malformed(new Uint8Array(64 * 1024 + 1), "length 65537 exceeds 65536");
  // 65536 zero bytes: an end-of-contents octet pair (2 bytes), then 65534 more — parsed, then refused for the rest.
  malformed(new Uint8Array(64 * 1024), "65534 bytes after the ContentInfo");
  malformed(cat(envelope(), new Uint8Array(3)), "3 bytes after the ContentInfo");
});

test("parseEnvelopedData() says why BER does not decode", () => {
  malformed(fromHex("ffffffff"), "invalid BER (End of input reached before message was fully decoded)");
  malformed(fromHex("3005020102"), "invalid BER (End of input reached before message was fully decoded (inconsistent offset and length values))");
});

test("parseEnvelopedData() refuses what is not a ContentInfo or not an EnvelopedData, keeping the cause", () => {
  const notContentInfo = refusal(seq(int(1)));
  assert.instance(notContentInfo, CmsMalformedError);
  assert.is(notContentInfo.message, "Cannot parse CMS envelope: not a ContentInfo");
  assert.ok(notContentInfo.cause !== undefined);
  const notEnvelopedData = refusal(seq(OID.envelopedData, tlv(0xa0, seq(int(2)))));
  assert.is(notEnvelopedData.message, "Cannot parse CMS envelope: not a EnvelopedData");
  assert.ok(notEnvelopedData.cause !== undefined);
  unsupported(envelope({ contentType: OID.data }), "contentType", "is 1.2.840.113549.1.7.1, expected id-envelopedData");
});

test("parseEnvelopedData() refuses EnvelopedData other than v2 with exactly one KeyTransRecipientInfo v2 by subjectKeyIdentifier", () => {
  unsupported(envelope({ version: 0 }), "version", "is 0, expected 2");
  unsupported(envelope({ recipients: [ktri(), ktri()] }), "recipientInfos", "has 2 entries, expected 1");
  // KEKRecipientInfo ([2]): version 4, kekid, keyEncryptionAlgorithm, encryptedKey.
  const kekri = tlv(0xa2, int(4), seq(octets(new Uint8Array([1]))), seq(fromHex("060960864801650304012d")), octets(new Uint8Array(40)));
  unsupported(envelope({ recipients: [kekri] }), "recipientInfo", "is not a KeyTransRecipientInfo");
  const issuerAndSerial = seq(seq(tlv(0x31, seq(OID.commonName, tlv(0x0c, new TextEncoder().encode("kms"))))), int(1));
  unsupported(envelope({ ktriVersion: 0, rid: issuerAndSerial }), "KeyTransRecipientInfo", "version 0 is not 2 with a subjectKeyIdentifier");
  unsupported(envelope({ ktriVersion: 2, rid: issuerAndSerial }), "KeyTransRecipientInfo", "version 2 is not 2 with a subjectKeyIdentifier");
  unsupported(envelope({ ktriVersion: 0 }), "KeyTransRecipientInfo", "version 0 is not 2 with a subjectKeyIdentifier");
  malformed(envelope({ rid: tlv(0x80) }), "empty subjectKeyIdentifier");
  assert.equal(parseEnvelopedData(envelope({ rid: tlv(0x80, new Uint8Array([9])) })).subjectKeyIdentifier, new Uint8Array([9]));
});

test("parseEnvelopedData() refuses key transport other than RSAES-OAEP with SHA-256, MGF1-SHA-256 and an empty label", () => {
  unsupported(envelope({ keyEncryption: seq(OID.rsaEncryption, NULL) }), "keyEncryptionAlgorithm", "is 1.2.840.113549.1.1.1, expected id-RSAES-OAEP");
  for (const params of [[], [NULL]]) {
    unsupported(envelope({ keyEncryption: seq(OID.rsaesOaep, ...params) }), "keyEncryptionAlgorithm", "has no RSAES-OAEP-params (the SHA-1 default is refused)");
  }
  malformed(envelope({ keyEncryption: seq(OID.rsaesOaep, seq(tlv(0xa0, int(1)))) }), "not a RSAES-OAEP-params");
  // hashAlgorithm absent: the SHA-1 default.
  unsupported(envelope({ keyEncryption: seq(OID.rsaesOaep, seq(tlv(0xa1, seq(OID.mgf1, SHA256)))) }), "hashAlgorithm", "is 1.3.14.3.2.26, expected id-sha256");
  unsupported(envelope({ keyEncryption: oaep({ hash: seq(OID.sha384, NULL) }) }), "hashAlgorithm", "is 2.16.840.1.101.3.4.2.2, expected id-sha256");
  unsupported(envelope({ keyEncryption: oaep({ hash: seq(OID.sha256, int(0)) }) }), "hashAlgorithm", "has parameters other than NULL");
  unsupported(envelope({ keyEncryption: oaep({ mgf: seq(OID.sha256, SHA256) }) }), "maskGenAlgorithm", "is 2.16.840.1.101.3.4.2.1, expected id-mgf1");
  unsupported(envelope({ keyEncryption: oaep({ mgf: seq(OID.mgf1, seq(OID.sha384, NULL)) }) }), "maskGenAlgorithm hash", "is 2.16.840.1.101.3.4.2.2, expected id-sha256");
  unsupported(envelope({ keyEncryption: oaep({ mgf: seq(OID.mgf1, seq(OID.sha256, int(0))) }) }), "maskGenAlgorithm hash", "has parameters other than NULL");
  unsupported(envelope({ keyEncryption: oaep({ mgf: seq(OID.mgf1) }) }), "maskGenAlgorithm hash", "is SHA-1 (default), expected id-sha256");
  malformed(envelope({ keyEncryption: oaep({ mgf: seq(OID.mgf1, int(5)) }) }), "not a MGF1 hash AlgorithmIdentifier");
  // SHA-256's parameters may be NULL or absent (RFC 5754 §2), in both places.
  const absent = seq(OID.sha256);
  assert.is(parseEnvelopedData(envelope({ keyEncryption: oaep({ hash: absent, mgf: seq(OID.mgf1, absent) }) })).keyEncryptionAlgorithm, "RSAES_OAEP_SHA_256");
  // pSourceAlgorithm: absent (the default) or pSpecified with an empty label; nothing else.
  assert.is(parseEnvelopedData(envelope({ keyEncryption: oaep({ pSource: seq(OID.pSpecified, octets(new Uint8Array())) }) })).version, 2);
  for (const pSource of [seq(OID.pSpecified, octets(new Uint8Array([1]))), seq(OID.pSpecified, NULL), seq(OID.sha256, octets(new Uint8Array()))]) {
    unsupported(envelope({ keyEncryption: oaep({ pSource }) }), "pSourceAlgorithm", "is not pSpecified with an empty label");
  }
});

test("parseEnvelopedData() takes an encryptedKey of 256..512 bytes (RSA-2048..4096) and refuses 255 and 513", () => {
  for (const length of [256, 384, 512]) {
    assert.is(parseEnvelopedData(envelope({ encryptedKey: new Uint8Array(length).fill(1) })).encryptedKey.length, length);
  }
  for (const length of [0, 255, 513]) {
    unsupported(envelope({ encryptedKey: new Uint8Array(length) }), "encryptedKey", `length ${length} is outside 256..512 (RSA-2048..4096)`);
  }
});

test("parseEnvelopedData() refuses content that is not id-data under AES-256-CBC with a 16-byte IV", () => {
  unsupported(envelope({ eciContentType: OID.envelopedData }), "encryptedContentInfo.contentType", "is 1.2.840.113549.1.7.3, expected id-data");
  unsupported(envelope({ contentEncryption: seq(OID.aes128Cbc, octets(IV)) }), "contentEncryptionAlgorithm", "is 2.16.840.1.101.3.4.1.2, expected id-aes256-CBC");
  malformed(envelope({ contentEncryption: seq(OID.aes256Cbc, NULL) }), "AES-CBC parameters are not a primitive OCTET STRING");
  malformed(envelope({ contentEncryption: seq(OID.aes256Cbc) }), "AES-CBC parameters are not a primitive OCTET STRING");
  malformed(envelope({ contentEncryption: seq(OID.aes256Cbc, tlv(0x24, octets(IV))) }), "AES-CBC parameters are not a primitive OCTET STRING");
  malformed(envelope({ contentEncryption: seq(OID.aes256Cbc, octets(IV.subarray(1))) }), "AES-CBC IV length 15, expected 16");
  malformed(envelope({ contentEncryption: seq(OID.aes256Cbc, octets(cat(IV, IV.subarray(0, 1)))) }), "AES-CBC IV length 17, expected 16");
});

test("parseEnvelopedData() refuses absent (detached) content and content that is not whole AES blocks", () => {
  // Detached content: pkijs's EncryptedContentInfo schema requires the [0] field, so it is refused as a whole.
  malformed(envelope({ encryptedContent: null }), "not a EnvelopedData");
  malformed(envelope({ encryptedContent: tlv(0x80) }), "encryptedContent length 0 is not a positive multiple of 16");
  malformed(envelope({ encryptedContent: tlv(0x80, CONTENT.subarray(0, 17)) }), "encryptedContent length 17 is not a positive multiple of 16");
  malformed(envelope({ encryptedContent: tlv(0x80, CONTENT.subarray(0, 15)) }), "encryptedContent length 15 is not a positive multiple of 16");
  assert.is(parseEnvelopedData(envelope({ encryptedContent: tlv(0x80, CONTENT.subarray(0, 16)) })).encryptedContent.length, 16);
});

test("parseEnvelopedData() joins constructed content in order (definite and indefinite length) and refuses nested chunks", () => {
  const [a, b, c] = [CONTENT.subarray(0, 5), CONTENT.subarray(5, 30), CONTENT.subarray(30)];
  assert.equal(parseEnvelopedData(envelope({ encryptedContent: tlv(0xa0, octets(a), octets(b), octets(c)) })).encryptedContent, CONTENT);
  const indefinite = cat(fromHex("a080"), octets(a), octets(b), octets(c), fromHex("0000"));
  assert.equal(parseEnvelopedData(envelope({ encryptedContent: indefinite })).encryptedContent, CONTENT);
  // BER allows constructed chunks inside chunks (X.690 §8.7.3.2); KMS never nests, and pkijs's EnvelopedData schema
  // (a [0] of OCTET STRINGs) refuses it before the parser's own depth limit could apply; so is any other chunk type.
  malformed(envelope({ encryptedContent: tlv(0xa0, tlv(0x24, octets(CONTENT))) }), "not a EnvelopedData");
  malformed(envelope({ encryptedContent: tlv(0xa0, octets(a), int(1)) }), "not a EnvelopedData");
});

test.run();
