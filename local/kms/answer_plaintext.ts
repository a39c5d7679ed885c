import { bytesToBase64 } from "../../common/mod.ts";
import { AwsJsonError } from "../aws/aws_json_error.ts";
import { encryptForRecipient } from "./encrypt_for_recipient.ts";
import { KMS_VALIDATION } from "./kms_state.ts";

export type AnswerPlaintextReturnType = { readonly Plaintext: string } | { readonly CiphertextForRecipient: string };

/**
 * The plaintext part of a Decrypt, GenerateDataKey or GenerateRandom answer: `Plaintext` (base64), or, when the
 * request had a `Recipient`, only `CiphertextForRecipient` (CMS EnvelopedData to the enclave's RSA key, as real
 * KMS answers). Zeroes `plaintext` once it is encoded, whatever happens.
 *
 * @example
 * ```ts
 * return { KeyId: record.arn, ...(await answerPlaintext(plaintext, recipient)) };
 * ```
 */
export async function answerPlaintext(
  plaintext: Uint8Array,
  recipient: { readonly publicKey: Uint8Array } | undefined,
): Promise<AnswerPlaintextReturnType> {
  try {
    if (!recipient) return { Plaintext: bytesToBase64(plaintext) };
    let envelope: Uint8Array;
    try {
      envelope = await encryptForRecipient(plaintext, recipient.publicKey);
    } catch (cause) {
      throw new AwsJsonError(KMS_VALIDATION, "The public key in the attestation document is not an RSA-2048..4096 SubjectPublicKeyInfo.", { cause });
    }
    return { CiphertextForRecipient: bytesToBase64(envelope) };
  } finally {
    plaintext.fill(0);
  }
}
