import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { CmsOid } from "../../signer/mod.ts";

export type EncryptForRecipientOptions = {
  /**
   * How `encryptedContent` is encoded (RFC 5652 §6.1 allows both): `"constructed"` — `[0]` constructed,
   * indefinite length, OCTET STRING chunks, as real KMS sends it; `"primitive"` — one `[0]` primitive.
   * @default "constructed"
   */
  readonly encryptedContentForm?: "constructed" | "primitive";
  /** Chunk size for the constructed form. @default 1024 */
  readonly chunkBytes?: number;
};

/**
 * Encrypts `plaintext` to an RSA public key as a CMS envelope shaped like the `CiphertextForRecipient` real KMS
 * returns (DESIGN §6): BER `ContentInfo` → `EnvelopedData` v2 → one `KeyTransRecipientInfo` v2 whose rid is a
 * 32-byte subjectKeyIdentifier (SHA-256 of the recipient's SubjectPublicKeyInfo DER, RFC 7093 §2 method 4),
 * RSAES-OAEP with SHA-256 / MGF1-SHA-256 / empty label (RFC 8017 §7.1.1, RFC 4055 §4.1), content AES-256-CBC
 * with PKCS#7 padding (RFC 3565, RFC 5652 §6.3). The content-encryption key is fresh per call and zeroed after use.
 *
 * Used by the local KMS stand-in; the signer decrypts the result with `decryptCiphertextForRecipient`.
 *
 * @example
 * ```ts
 * const envelope = await encryptForRecipient(plaintext, attestation.publicKey);
 * ```
 */
export async function encryptForRecipient(
  plaintext: Uint8Array,
  recipientPublicKey: Uint8Array,
  options: EncryptForRecipientOptions = {},
): Promise<Uint8Array> {
  if (!(plaintext instanceof Uint8Array)) throw new TypeError("Cannot encrypt for recipient: plaintext must be a Uint8Array");
  if (!(recipientPublicKey instanceof Uint8Array)) {
    throw new TypeError("Cannot encrypt for recipient: recipientPublicKey must be SubjectPublicKeyInfo DER bytes");
  }
  const form = options.encryptedContentForm ?? "constructed";
  const chunkBytes = options.chunkBytes ?? 1024;
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError(`Invalid chunkBytes: ${chunkBytes}`);
  const spki = recipientPublicKey.slice();
  checkRsaSpki(spki);

  const rsaKey = await crypto.subtle.importKey(
    "spki",
    spki,
    { name: "RSA-OAEP", hash: "SHA-256" },
    false,
    ["encrypt"],
  );
  const contentKeyBytes = crypto.getRandomValues(new Uint8Array(32));
  const iv = crypto.getRandomValues(new Uint8Array(16));
  const data = plaintext.slice();
  let encryptedKey: Uint8Array;
  let encryptedContent: Uint8Array;
  try {
    const contentKey = await crypto.subtle.importKey("raw", contentKeyBytes, { name: "AES-CBC" }, false, ["encrypt"]);
    encryptedContent = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-CBC", iv }, contentKey, data));
    encryptedKey = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, rsaKey, contentKeyBytes));
  } finally {
    contentKeyBytes.fill(0);
    data.fill(0);
  }
  const subjectKeyIdentifier = new Uint8Array(await crypto.subtle.digest("SHA-256", spki));

  const sha256 = new pkijs.AlgorithmIdentifier({ algorithmId: CmsOid.sha256, algorithmParams: new asn1js.Null() });
  const oaepParams = new pkijs.RSAESOAEPParams({
    hashAlgorithm: sha256,
    maskGenAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: CmsOid.mgf1, algorithmParams: sha256.toSchema() }),
  }); // pSourceAlgorithm left at its default: pSpecifiedEmpty (omitted from the encoding).
  const recipient = new pkijs.KeyTransRecipientInfo({
    version: 2,
    rid: new asn1js.OctetString({ valueHex: subjectKeyIdentifier }),
    keyEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: CmsOid.rsaesOaep,
      algorithmParams: oaepParams.toSchema(),
    }),
    encryptedKey: new asn1js.OctetString({ valueHex: encryptedKey }),
  });

  const content = form === "primitive"
    ? new asn1js.OctetString({ valueHex: encryptedContent })
    : new asn1js.OctetString({
      isConstructed: true,
      idBlock: { isConstructed: true },
      lenBlock: { isIndefiniteForm: true },
      value: chunks(encryptedContent, chunkBytes).map((chunk) => new asn1js.OctetString({ valueHex: chunk })),
    });
  const envelopedData = new pkijs.EnvelopedData({
    version: 2,
    recipientInfos: [new pkijs.RecipientInfo({ variant: 1, value: recipient })],
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: CmsOid.data,
      contentEncryptionAlgorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: CmsOid.aes256Cbc,
        algorithmParams: new asn1js.OctetString({ valueHex: iv }),
      }),
      encryptedContent: content,
      disableSplit: true,
    }),
  });
  const contentInfo = new pkijs.ContentInfo({ contentType: CmsOid.envelopedData, content: envelopedData.toSchema() });
  // A constructed, indefinite-length encryptedContent makes asn1js encode every enclosing constructed value with
  // indefinite length too, which is the shape of real KMS envelopes.
  return new Uint8Array(contentInfo.toSchema().toBER(false));
}

function chunks(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) out.push(bytes.slice(offset, offset + size));
  return out;
}

/** KMS accepts RSA-2048..4096 public keys in the attestation's `public_key` (SubjectPublicKeyInfo DER). */
function checkRsaSpki(spki: Uint8Array<ArrayBuffer>): void {
  let info: pkijs.PublicKeyInfo;
  try {
    info = pkijs.PublicKeyInfo.fromBER(spki);
  } catch (cause) {
    throw new TypeError("Cannot encrypt for recipient: recipientPublicKey is not SubjectPublicKeyInfo DER", { cause });
  }
  if (info.algorithm.algorithmId !== CmsOid.rsaEncryption || !(info.parsedKey instanceof pkijs.RSAPublicKey)) {
    throw new TypeError("Cannot encrypt for recipient: recipientPublicKey is not an RSA key");
  }
  const modulus = info.parsedKey.modulus.valueBlock.valueHexView;
  const bits = (modulus.length - (modulus[0] === 0 ? 1 : 0)) * 8;
  if (bits < 2048 || bits > 4096) throw new RangeError(`Cannot encrypt for recipient: RSA modulus of ${bits} bits is outside 2048..4096`);
}
