import { GenerateRandomCommand } from "@aws-sdk/client-kms";
import type { KmsClient } from "./kms_client.ts";
import { openRecipientAnswer } from "./kms_decrypt_for_recipient.ts";
import { KmsError } from "./kms_errors.ts";

export type KmsGenerateRandomForRecipientParameters = {
  /** 1..1024 (AWS KMS API Reference, GenerateRandom). */
  readonly numberOfBytes: number;
  /** A fresh attestation document whose `public_key` is the SPKI of `privateKey`. */
  readonly attestationDocument: Uint8Array;
  /** The enclave's RSA-OAEP/SHA-256 private key (non-extractable). */
  readonly privateKey: CryptoKey;
};

export type KmsGenerateRandomForRecipientErrorType = KmsError | TypeError | RangeError;

/**
 * KMS `GenerateRandom` with a Recipient: random bytes from KMS that only this enclave can read (returned as
 * `CiphertextForRecipient` and opened with `privateKey`). Used to mix KMS entropy into key generation.
 *
 * @example
 * ```ts
 * const entropy = await kmsGenerateRandomForRecipient(kms, { numberOfBytes: 32, attestationDocument, privateKey });
 * ```
 */
export async function kmsGenerateRandomForRecipient(
  client: KmsClient,
  parameters: KmsGenerateRandomForRecipientParameters,
): Promise<Uint8Array> {
  const { numberOfBytes } = parameters;
  if (!Number.isInteger(numberOfBytes) || numberOfBytes < 1 || numberOfBytes > 1024) {
    throw new RangeError(`numberOfBytes ${numberOfBytes} is outside 1..1024`);
  }
  if (!(parameters.attestationDocument instanceof Uint8Array) || parameters.attestationDocument.length === 0) {
    throw new TypeError("attestationDocument must be a non-empty Uint8Array");
  }
  let output;
  try {
    output = await client.send(
      new GenerateRandomCommand({
        NumberOfBytes: numberOfBytes,
        Recipient: { KeyEncryptionAlgorithm: "RSAES_OAEP_SHA_256", AttestationDocument: parameters.attestationDocument },
      }),
    );
  } catch (error) {
    throw KmsError.from("GenerateRandom", error);
  }
  const bytes = await openRecipientAnswer("GenerateRandom", output, parameters.privateKey);
  if (bytes.length !== numberOfBytes) {
    bytes.fill(0);
    throw new KmsError("GenerateRandom", undefined, { details: `expected ${numberOfBytes} bytes, got ${bytes.length}` });
  }
  return bytes;
}
