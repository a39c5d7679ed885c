import { CmsDecryptError, type CmsMalformedError, type CmsUnsupportedError } from "./cms_errors.ts";
import { parseEnvelopedData } from "./parse_enveloped_data.ts";

const AES_256_KEY_BYTES = 32;

export type DecryptCiphertextForRecipientErrorType =
  | CmsMalformedError
  | CmsUnsupportedError
  | CmsDecryptError
  | TypeError;

/**
 * Decrypts a KMS `CiphertextForRecipient` (DESIGN §6): parses the BER `EnvelopedData`
 * ({@link parseEnvelopedData}), unwraps the AES-256 content-encryption key with RSAES-OAEP (SHA-256,
 * MGF1-SHA-256, empty label; RFC 8017 §7.1.2) inside WebCrypto, then decrypts the content with AES-256-CBC and
 * removes its PKCS#7 padding (RFC 5652 §6.3, RFC 3565 §2.1).
 *
 * `privateKey` is the enclave's RSA-OAEP/SHA-256 private key; it may (and should) be non-extractable — it is only
 * ever used through `crypto.subtle.decrypt`. The unwrapped AES key bytes are zeroed as soon as they have been
 * imported. Decryption failures are reported without saying which step failed (no padding oracle).
 *
 * @example
 * ```ts
 * const { privateKey, publicKey } = await crypto.subtle.generateKey(
 *   { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
 *   false, ["decrypt", "encrypt"]);
 * const plaintext = await decryptCiphertextForRecipient(response.CiphertextForRecipient!, privateKey);
 * ```
 */
export async function decryptCiphertextForRecipient(ber: Uint8Array, privateKey: CryptoKey): Promise<Uint8Array> {
  if (!(ber instanceof Uint8Array)) throw new TypeError("Cannot decrypt CMS envelope: expected a Uint8Array");
  checkPrivateKey(privateKey);
  const envelope = parseEnvelopedData(ber);

  const modulusBytes = (privateKey.algorithm as RsaHashedKeyAlgorithm).modulusLength / 8;
  if (envelope.encryptedKey.length !== modulusBytes) {
    // RFC 8017 §7.1.2 step 1b: the ciphertext must be exactly k octets long.
    throw new CmsDecryptError({ details: `encryptedKey length ${envelope.encryptedKey.length}, key modulus ${modulusBytes}` });
  }

  let keyBytes: Uint8Array<ArrayBuffer> | undefined;
  let contentKey: CryptoKey;
  try {
    keyBytes = new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, privateKey, envelope.encryptedKey));
    if (keyBytes.length !== AES_256_KEY_BYTES) {
      throw new CmsDecryptError({ details: `content-encryption key length ${keyBytes.length}, expected 32` });
    }
    contentKey = await crypto.subtle.importKey("raw", keyBytes, { name: "AES-CBC" }, false, ["decrypt"]);
  } catch (cause) {
    throw cause instanceof CmsDecryptError ? cause : new CmsDecryptError({ cause });
  } finally {
    keyBytes?.fill(0);
  }

  try {
    // WebCrypto's AES-CBC checks and strips the PKCS#7 padding (RFC 5652 §6.3).
    return new Uint8Array(
      await crypto.subtle.decrypt({ name: "AES-CBC", iv: envelope.iv }, contentKey, envelope.encryptedContent),
    );
  } catch (cause) {
    throw new CmsDecryptError({ cause });
  }
}

function checkPrivateKey(privateKey: CryptoKey): void {
  if (typeof CryptoKey !== "undefined" && !(privateKey instanceof CryptoKey)) {
    throw new TypeError("Cannot decrypt CMS envelope: privateKey is not a CryptoKey");
  }
  const algorithm = privateKey.algorithm as Partial<RsaHashedKeyAlgorithm>;
  if (
    privateKey.type !== "private" ||
    algorithm.name !== "RSA-OAEP" ||
    algorithm.hash?.name !== "SHA-256" ||
    !privateKey.usages.includes("decrypt")
  ) {
    throw new TypeError("Cannot decrypt CMS envelope: privateKey must be an RSA-OAEP SHA-256 private key usable for decrypt");
  }
  const modulusLength = algorithm.modulusLength ?? 0;
  if (modulusLength < 2048 || modulusLength > 4096 || modulusLength % 8 !== 0) {
    throw new TypeError(`Cannot decrypt CMS envelope: RSA modulus of ${modulusLength} bits is outside 2048..4096`);
  }
}
