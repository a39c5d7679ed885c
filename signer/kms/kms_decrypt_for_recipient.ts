import { DecryptCommand } from "@aws-sdk/client-kms";
import { decryptCiphertextForRecipient } from "../cms/decrypt_ciphertext_for_recipient.ts";
import type { KmsClient } from "./kms_client.ts";
import { checkEncryptionContext, checkKeyId } from "./kms_encrypt.ts";
import { KmsError } from "./kms_errors.ts";

export type KmsDecryptForRecipientParameters = {
  /** The ciphertext blob from `kmsEncrypt`. */
  readonly ciphertext: Uint8Array;
  /** Exactly the encryption context the ciphertext was made with. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** A fresh attestation document whose `public_key` is the SPKI of `privateKey` (KMS refuses ones older than 5 min). */
  readonly attestationDocument: Uint8Array;
  /** The enclave's RSA-OAEP/SHA-256 private key (non-extractable). */
  readonly privateKey: CryptoKey;
  /** Optional: require that KMS uses this key (otherwise the key named in the ciphertext). */
  readonly keyId?: string;
};

export type KmsDecryptForRecipientErrorType = KmsError | TypeError;

/**
 * KMS `Decrypt` with `Recipient: { KeyEncryptionAlgorithm: "RSAES_OAEP_SHA_256", AttestationDocument }`
 * (AWS KMS API Reference, Decrypt; DESIGN §6): KMS checks the document against the key policy's
 * `kms:RecipientAttestation:*` conditions and returns the plaintext only as `CiphertextForRecipient`, a CMS
 * envelope to the document's public key, which is opened here with `privateKey`. A response that carries a
 * `Plaintext` is refused (and the plaintext zeroed): that is not what KMS does for a Recipient request.
 *
 * @example
 * ```ts
 * const key = await kmsDecryptForRecipient(kms, { ciphertext, encryptionContext,
 *   attestationDocument: await nsm.attest({ publicKey: spki }), privateKey });
 * ```
 */
export async function kmsDecryptForRecipient(client: KmsClient, parameters: KmsDecryptForRecipientParameters): Promise<Uint8Array> {
  if (!(parameters.ciphertext instanceof Uint8Array) || parameters.ciphertext.length < 1 || parameters.ciphertext.length > 6144) {
    throw new TypeError("ciphertext must be a Uint8Array of 1..6144 bytes");
  }
  if (!(parameters.attestationDocument instanceof Uint8Array) || parameters.attestationDocument.length === 0) {
    throw new TypeError("attestationDocument must be a non-empty Uint8Array");
  }
  if (parameters.keyId !== undefined) checkKeyId(parameters.keyId);
  const encryptionContext = checkEncryptionContext(parameters.encryptionContext);
  let output;
  try {
    output = await client.send(
      new DecryptCommand({
        CiphertextBlob: parameters.ciphertext,
        EncryptionContext: encryptionContext,
        ...(parameters.keyId === undefined ? {} : { KeyId: parameters.keyId }),
        Recipient: { KeyEncryptionAlgorithm: "RSAES_OAEP_SHA_256", AttestationDocument: parameters.attestationDocument },
      }),
    );
  } catch (error) {
    throw KmsError.from("Decrypt", error);
  }
  return openRecipientAnswer("Decrypt", output, parameters.privateKey);
}

/** @internal Checks a Recipient answer and decrypts its CMS envelope. */
export async function openRecipientAnswer(
  operation: string,
  output: { Plaintext?: Uint8Array | undefined; CiphertextForRecipient?: Uint8Array | undefined },
  privateKey: CryptoKey,
): Promise<Uint8Array> {
  if (output.Plaintext && output.Plaintext.length > 0) {
    output.Plaintext.fill(0);
    throw new KmsError(operation, undefined, { details: "KMS returned Plaintext to a Recipient request; refusing it" });
  }
  if (!(output.CiphertextForRecipient instanceof Uint8Array) || output.CiphertextForRecipient.length === 0) {
    throw new KmsError(operation, undefined, { details: "response has no CiphertextForRecipient" });
  }
  try {
    return await decryptCiphertextForRecipient(output.CiphertextForRecipient, privateKey);
  } catch (cause) {
    throw new KmsError(operation, undefined, { cause, details: "cannot open CiphertextForRecipient" });
  }
}
