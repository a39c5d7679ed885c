import { AwsJsonError } from "../aws/aws_json_error.ts";

/**
 * Ciphertext blobs of the local KMS stand-in. Real KMS blobs are opaque; ours are
 *
 *   0x01 ‖ len(keyId) (1 byte) ‖ keyId (ASCII) ‖ iv (12 bytes) ‖ AES-256-GCM(ciphertext ‖ 16-byte tag)
 *
 * under the key's own 32-byte secret, with additional data = "nitro-eth-signer/local-kms/v1" ‖ header ‖
 * canonical(EncryptionContext), so a blob only opens under its own key and with exactly the encryption context it
 * was made with (NIST SP 800-38D; AWS KMS Developer Guide, "Encryption context" — it is additional authenticated
 * data). Decrypting with a different context fails like real KMS: `InvalidCiphertextException`.
 */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DOMAIN = new TextEncoder().encode("nitro-eth-signer/local-kms/v1");

export type SealCiphertextBlobParameters = {
  readonly keyId: string;
  /** The key's 32-byte secret. */
  readonly secret: Uint8Array;
  readonly plaintext: Uint8Array;
  readonly encryptionContext: Readonly<Record<string, string>>;
};

/**
 * Encrypts `plaintext` into a ciphertext blob bound to `keyId` and `encryptionContext`.
 *
 * @example
 * ```ts
 * const blob = await sealCiphertextBlob({ keyId, secret, plaintext, encryptionContext: { app: "x" } });
 * ```
 */
export async function sealCiphertextBlob(parameters: SealCiphertextBlobParameters): Promise<Uint8Array> {
  const header = encodeHeader(parameters.keyId);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const key = await importSecret(parameters.secret, "encrypt");
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: additionalData(header, parameters.encryptionContext), tagLength: 128 },
      key,
      parameters.plaintext.slice(),
    ),
  );
  const blob = new Uint8Array(header.length + IV_BYTES + sealed.length);
  blob.set(header);
  blob.set(iv, header.length);
  blob.set(sealed, header.length + IV_BYTES);
  return blob;
}

/**
 * Reads the key id of a blob without decrypting it (KMS Decrypt finds the key from the ciphertext), or throws
 * `InvalidCiphertextException` when the blob is not one of ours.
 *
 * @example
 * ```ts
 * const keyId = ciphertextBlobKeyId(blob);
 * ```
 */
export function ciphertextBlobKeyId(blob: Uint8Array): string {
  return decodeHeader(blob).keyId;
}

/**
 * Decrypts a blob made by {@link sealCiphertextBlob}; a wrong key, a different encryption context or any altered
 * byte fails with `InvalidCiphertextException`.
 *
 * @example
 * ```ts
 * const plaintext = await openCiphertextBlob(blob, secret, { app: "x" });
 * ```
 */
export async function openCiphertextBlob(
  blob: Uint8Array,
  secret: Uint8Array,
  encryptionContext: Readonly<Record<string, string>>,
): Promise<Uint8Array> {
  const { headerLength } = decodeHeader(blob);
  const key = await importSecret(secret, "decrypt");
  try {
    return new Uint8Array(
      await crypto.subtle.decrypt(
        {
          name: "AES-GCM",
          iv: blob.slice(headerLength, headerLength + IV_BYTES),
          additionalData: additionalData(blob.slice(0, headerLength), encryptionContext),
          tagLength: 128,
        },
        key,
        blob.slice(headerLength + IV_BYTES),
      ),
    );
  } catch {
    throw invalidCiphertext();
  }
}

function encodeHeader(keyId: string): Uint8Array {
  const id = new TextEncoder().encode(keyId);
  if (id.length === 0 || id.length > 255) throw new RangeError("keyId must be 1..255 bytes");
  const header = new Uint8Array(2 + id.length);
  header[0] = VERSION;
  header[1] = id.length;
  header.set(id, 2);
  return header;
}

function decodeHeader(blob: Uint8Array): { keyId: string; headerLength: number } {
  if (!(blob instanceof Uint8Array) || blob.length < 2 || blob[0] !== VERSION) throw invalidCiphertext();
  const headerLength = 2 + blob[1]!;
  if (blob[1] === 0 || blob.length < headerLength + IV_BYTES + TAG_BYTES) throw invalidCiphertext();
  const keyId = new TextDecoder().decode(blob.subarray(2, headerLength));
  if (!/^[A-Za-z0-9-]+$/.test(keyId)) throw invalidCiphertext();
  return { keyId, headerLength };
}

/** Sorted [key, value] pairs as JSON: one unambiguous byte string per context. */
function additionalData(header: Uint8Array, context: Readonly<Record<string, string>>): Uint8Array<ArrayBuffer> {
  const canonical = new TextEncoder().encode(JSON.stringify(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  const out = new Uint8Array(DOMAIN.length + header.length + canonical.length);
  out.set(DOMAIN);
  out.set(header, DOMAIN.length);
  out.set(canonical, DOMAIN.length + header.length);
  return out;
}

function importSecret(secret: Uint8Array, usage: "encrypt" | "decrypt"): Promise<CryptoKey> {
  if (secret.length !== 32) throw new RangeError("key secret must be 32 bytes");
  return crypto.subtle.importKey("raw", secret.slice(), { name: "AES-GCM" }, false, [usage]);
}

function invalidCiphertext(): AwsJsonError {
  return new AwsJsonError("InvalidCiphertextException", "The ciphertext is invalid or was made with a different encryption context.");
}
