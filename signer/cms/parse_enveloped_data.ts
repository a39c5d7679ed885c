import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { CmsMalformedError, CmsUnsupportedError } from "./cms_errors.ts";
import { CmsOid } from "./cms_oids.ts";

/**
 * Largest envelope accepted. KMS plaintexts are at most 4096 bytes (Decrypt) or 1024 (GenerateRandom), so a
 * `CiphertextForRecipient` is well under 8 KiB; 64 KiB leaves room without letting a hostile parent make us
 * parse megabytes.
 */
export const MAX_ENVELOPE_BYTES = 64 * 1024;

/** RSA-2048 … RSA-4096: the sizes KMS accepts for the attestation's public key. */
const MIN_ENCRYPTED_KEY_BYTES = 256;
const MAX_ENCRYPTED_KEY_BYTES = 512;
const AES_BLOCK_BYTES = 16;

export type ParseEnvelopedDataReturnType = {
  /** EnvelopedData version; always 2 for this profile (RFC 5652 §6.1). */
  version: 2;
  /** The recipient's subjectKeyIdentifier (`rid`, RFC 5652 §6.2.1). KMS sets 32 bytes; informative only. */
  subjectKeyIdentifier: Uint8Array<ArrayBuffer>;
  /** RSAES-OAEP with SHA-256, MGF1-SHA-256 and an empty label (RFC 8017 §7.1, RFC 4055 §4.1). */
  keyEncryptionAlgorithm: "RSAES_OAEP_SHA_256";
  /** The content-encryption key, encrypted to the recipient's RSA public key. */
  encryptedKey: Uint8Array<ArrayBuffer>;
  /** AES-256-CBC (RFC 3565 §2.1) with PKCS#7 padding (RFC 5652 §6.3). */
  contentEncryptionAlgorithm: "AES_256_CBC";
  /** The 16-byte CBC initialisation vector (RFC 3565 §4.1). */
  iv: Uint8Array<ArrayBuffer>;
  /** The encrypted content, with primitive and constructed (chunked) forms already joined (RFC 5652 §6.1). */
  encryptedContent: Uint8Array<ArrayBuffer>;
};

export type ParseEnvelopedDataErrorType = CmsMalformedError | CmsUnsupportedError | TypeError;

/**
 * Parses a BER `ContentInfo` holding an `EnvelopedData` in the profile AWS KMS uses for
 * `CiphertextForRecipient` (DESIGN §6) and returns the fields a decryptor needs. Everything outside that profile
 * is refused: version ≠ 2, other than exactly one KeyTransRecipientInfo v2 with a subjectKeyIdentifier, a
 * key-encryption algorithm other than RSAES-OAEP/SHA-256/MGF1-SHA-256/empty label, content encryption other
 * than AES-256-CBC. `encryptedContent` may be primitive, constructed, or several chunks (RFC 5652 §6.1, BER).
 *
 * @example
 * ```ts
 * const { encryptedKey, iv, encryptedContent } = parseEnvelopedData(response.CiphertextForRecipient);
 * ```
 */
export function parseEnvelopedData(ber: Uint8Array): ParseEnvelopedDataReturnType {
  if (!(ber instanceof Uint8Array)) throw new TypeError("Cannot parse CMS envelope: expected a Uint8Array");
  if (ber.length === 0) throw new CmsMalformedError("length 0");
  if (ber.length > MAX_ENVELOPE_BYTES) {
    throw new CmsMalformedError(`length ${ber.length} exceeds ${MAX_ENVELOPE_BYTES}`);
  }

  // RFC 5652 §3: ContentInfo ::= SEQUENCE { contentType, [0] EXPLICIT content }. BER, so indefinite lengths occur.
  const decoded = asn1js.fromBER(ber);
  if (decoded.offset === -1 || decoded.result.error) {
    throw new CmsMalformedError(`invalid BER (${decoded.result.error || "decoding failed"})`);
  }
  if (decoded.offset !== ber.length) throw new CmsMalformedError(`${ber.length - decoded.offset} bytes after the ContentInfo`);

  const contentInfo = fromSchema("ContentInfo", () => new pkijs.ContentInfo({ schema: decoded.result }));
  if (contentInfo.contentType !== CmsOid.envelopedData) {
    throw new CmsUnsupportedError("contentType", `is ${contentInfo.contentType}, expected id-envelopedData`);
  }
  const envelopedData = fromSchema("EnvelopedData", () => new pkijs.EnvelopedData({ schema: contentInfo.content }));

  // RFC 5652 §6.1: version 2 when a KeyTransRecipientInfo uses subjectKeyIdentifier and no pwri/ori is present.
  // originatorInfo and unprotectedAttrs are unauthenticated and irrelevant to decryption; they are ignored.
  if (envelopedData.version !== 2) throw new CmsUnsupportedError("version", `is ${envelopedData.version}, expected 2`);
  if (envelopedData.recipientInfos.length !== 1) {
    throw new CmsUnsupportedError("recipientInfos", `has ${envelopedData.recipientInfos.length} entries, expected 1`);
  }
  const recipientInfo = envelopedData.recipientInfos[0]!;
  if (recipientInfo.variant !== 1 || !(recipientInfo.value instanceof pkijs.KeyTransRecipientInfo)) {
    throw new CmsUnsupportedError("recipientInfo", "is not a KeyTransRecipientInfo");
  }
  const ktri = recipientInfo.value;
  // RFC 5652 §6.2.1: version 2 iff rid is [0] subjectKeyIdentifier.
  if (ktri.version !== 2 || !(ktri.rid instanceof asn1js.OctetString)) {
    throw new CmsUnsupportedError("KeyTransRecipientInfo", `version ${ktri.version} is not 2 with a subjectKeyIdentifier`);
  }
  const subjectKeyIdentifier = ktri.rid.valueBlock.valueHexView.slice();
  if (subjectKeyIdentifier.length === 0) throw new CmsMalformedError("empty subjectKeyIdentifier");

  checkOaepAlgorithm(ktri.keyEncryptionAlgorithm);
  const encryptedKey = ktri.encryptedKey.valueBlock.valueHexView.slice();
  if (encryptedKey.length < MIN_ENCRYPTED_KEY_BYTES || encryptedKey.length > MAX_ENCRYPTED_KEY_BYTES) {
    throw new CmsUnsupportedError(
      "encryptedKey",
      `length ${encryptedKey.length} is outside ${MIN_ENCRYPTED_KEY_BYTES}..${MAX_ENCRYPTED_KEY_BYTES} (RSA-2048..4096)`,
    );
  }

  // RFC 5652 §6.1: EncryptedContentInfo ::= SEQUENCE { contentType, contentEncryptionAlgorithm, [0] IMPLICIT OPTIONAL }.
  const eci = envelopedData.encryptedContentInfo;
  if (eci.contentType !== CmsOid.data) {
    throw new CmsUnsupportedError("encryptedContentInfo.contentType", `is ${eci.contentType}, expected id-data`);
  }
  const iv = checkAesCbcAlgorithm(eci.contentEncryptionAlgorithm);
  if (!eci.encryptedContent) throw new CmsMalformedError("encryptedContent is absent (detached content is not supported)");
  const encryptedContent = joinOctets(eci.encryptedContent);
  if (encryptedContent.length === 0 || encryptedContent.length % AES_BLOCK_BYTES !== 0) {
    throw new CmsMalformedError(`encryptedContent length ${encryptedContent.length} is not a positive multiple of 16`);
  }

  return {
    version: 2,
    subjectKeyIdentifier,
    keyEncryptionAlgorithm: "RSAES_OAEP_SHA_256",
    encryptedKey,
    contentEncryptionAlgorithm: "AES_256_CBC",
    iv,
    encryptedContent,
  };
}

function fromSchema<T>(what: string, make: () => T): T {
  try {
    return make();
  } catch (cause) {
    throw new CmsMalformedError(`not a ${what}`, { cause });
  }
}

/**
 * RFC 4055 §4.1 / RFC 8017 Appendix A.2.1: RSAES-OAEP-params ::= SEQUENCE { [0] hashAlgorithm DEFAULT sha1,
 * [1] maskGenAlgorithm DEFAULT mgf1SHA1, [2] pSourceAlgorithm DEFAULT pSpecifiedEmpty }. We require SHA-256,
 * MGF1 with SHA-256 and an empty label, which is what WebCrypto's RSA-OAEP/SHA-256 computes.
 */
function checkOaepAlgorithm(algorithm: pkijs.AlgorithmIdentifier): void {
  if (algorithm.algorithmId !== CmsOid.rsaesOaep) {
    throw new CmsUnsupportedError("keyEncryptionAlgorithm", `is ${algorithm.algorithmId}, expected id-RSAES-OAEP`);
  }
  if (!(algorithm.algorithmParams instanceof asn1js.Sequence)) {
    throw new CmsUnsupportedError("keyEncryptionAlgorithm", "has no RSAES-OAEP-params (the SHA-1 default is refused)");
  }
  const params = fromSchema("RSAES-OAEP-params", () => new pkijs.RSAESOAEPParams({ schema: algorithm.algorithmParams }));
  checkSha256(params.hashAlgorithm, "hashAlgorithm");
  if (params.maskGenAlgorithm.algorithmId !== CmsOid.mgf1) {
    throw new CmsUnsupportedError("maskGenAlgorithm", `is ${params.maskGenAlgorithm.algorithmId}, expected id-mgf1`);
  }
  const mgfHash = fromSchema(
    "MGF1 hash AlgorithmIdentifier",
    () => new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }),
  );
  checkSha256(mgfHash, "maskGenAlgorithm hash");
  // [2] absent means pSpecifiedEmpty. pkijs substitutes its own non-empty placeholder for an absent [2], so look at
  // the parsed sequence to tell "absent" from "present"; when present it must be pSpecified with an empty label.
  const hasPSource = algorithm.algorithmParams.valueBlock.value.some(
    (item: asn1js.BaseBlock) => item.idBlock.tagClass === 3 && item.idBlock.tagNumber === 2,
  );
  if (hasPSource) {
    const label = params.pSourceAlgorithm.algorithmParams;
    if (
      params.pSourceAlgorithm.algorithmId !== CmsOid.pSpecified ||
      !(label instanceof asn1js.OctetString) ||
      label.valueBlock.valueHexView.length !== 0
    ) {
      throw new CmsUnsupportedError("pSourceAlgorithm", "is not pSpecified with an empty label");
    }
  }
}

/** RFC 5754 §2: the SHA-256 AlgorithmIdentifier's parameters may be absent or NULL. */
function checkSha256(algorithm: pkijs.AlgorithmIdentifier, field: string): void {
  if (algorithm.algorithmId !== CmsOid.sha256) {
    throw new CmsUnsupportedError(field, `is ${algorithm.algorithmId || "SHA-1 (default)"}, expected id-sha256`);
  }
  const params = algorithm.algorithmParams;
  if (params !== undefined && !(params instanceof asn1js.Null)) {
    throw new CmsUnsupportedError(field, "has parameters other than NULL");
  }
}

/** RFC 3565 §4.1: id-aes256-CBC with parameters AES-IV ::= OCTET STRING (SIZE(16)). */
function checkAesCbcAlgorithm(algorithm: pkijs.AlgorithmIdentifier): Uint8Array<ArrayBuffer> {
  if (algorithm.algorithmId !== CmsOid.aes256Cbc) {
    throw new CmsUnsupportedError("contentEncryptionAlgorithm", `is ${algorithm.algorithmId}, expected id-aes256-CBC`);
  }
  const params = algorithm.algorithmParams;
  if (!(params instanceof asn1js.OctetString) || params.idBlock.isConstructed) {
    throw new CmsMalformedError("AES-CBC parameters are not a primitive OCTET STRING");
  }
  const iv = params.valueBlock.valueHexView.slice();
  if (iv.length !== AES_BLOCK_BYTES) throw new CmsMalformedError(`AES-CBC IV length ${iv.length}, expected 16`);
  return iv;
}

/**
 * Joins the bytes of a (possibly constructed, possibly nested) OCTET STRING as parsed by asn1js: BER lets a
 * sender split `encryptedContent` into any number of chunks (X.690 §8.7.3). asn1js's own `getValue()` only
 * flattens one level, so this walks the parsed tree; it reads no BER itself.
 */
function joinOctets(block: asn1js.BaseBlock): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  const walk = (node: asn1js.BaseBlock, depth: number): void => {
    if (depth > 8) throw new CmsMalformedError("encryptedContent is nested more than 8 levels deep");
    if (node instanceof asn1js.EndOfContent) return;
    if (!node.idBlock.isConstructed) {
      parts.push((node.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView);
      return;
    }
    const children = (node.valueBlock as unknown as { value?: asn1js.BaseBlock[] }).value ?? [];
    for (const child of children) {
      if (child instanceof asn1js.EndOfContent) continue;
      if (!(child instanceof asn1js.OctetString)) {
        throw new CmsMalformedError("constructed encryptedContent holds something other than OCTET STRINGs");
      }
      walk(child, depth + 1);
    }
  };
  walk(block, 0);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
