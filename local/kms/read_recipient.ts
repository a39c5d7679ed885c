import { bytesToHex } from "viem";
import { verifyAttestationDocument } from "../../signer/mod.ts";
import { AwsJsonError } from "../aws/aws_json_error.ts";
import { type JsonInput, readJsonInput } from "../aws/read_json_input.ts";
import { KMS_VALIDATION } from "./kms_state.ts";

export type ReadRecipientOptions = {
  /** Roots (PEM or DER) that attestation documents must chain to. */
  readonly roots: readonly (string | Uint8Array)[];
  /** Time of the request (ms). */
  readonly now: number;
  /** Documents older (or further in the future) than this are refused. */
  readonly maxAgeMs: number;
};

export type ReadRecipientReturnType =
  | {
    /** The enclave's RSA SubjectPublicKeyInfo (DER), from the document's `public_key`. */
    readonly publicKey: Uint8Array;
    /** `kms:RecipientAttestation:PCR<n>` and `…:ImageSha384` (= PCR0), in lower-case hex, for the key policy. */
    readonly conditionKeys: Record<string, string>;
  }
  | undefined;

/**
 * Reads and verifies a request's optional `Recipient` (Decrypt, GenerateDataKey, GenerateRandom; AWS KMS API
 * Reference, "RecipientInfo"): `KeyEncryptionAlgorithm` must be RSAES_OAEP_SHA_256, the attestation document
 * must verify against `roots` at `now`, be at most `maxAgeMs` old and carry a public key. Every failure is a
 * `ValidationException`. Returns `undefined` when the request has no `Recipient`.
 *
 * @example
 * ```ts
 * const recipient = await readRecipient(read, { roots: [rootPem], now: context.now, maxAgeMs: 300_000 });
 * ```
 */
export async function readRecipient(read: JsonInput, options: ReadRecipientOptions): Promise<ReadRecipientReturnType> {
  const recipient = read.optionalObject("Recipient");
  if (!recipient) return undefined;
  const r = readJsonInput(recipient, KMS_VALIDATION);
  const algorithm = r.optionalString("KeyEncryptionAlgorithm") ?? "RSAES_OAEP_SHA_256";
  if (algorithm !== "RSAES_OAEP_SHA_256") {
    throw new AwsJsonError(KMS_VALIDATION, "1 validation error detected: Value at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_256]");
  }
  const document = r.blob("AttestationDocument", { min: 1, max: 262144 });
  let attestation;
  try {
    attestation = await verifyAttestationDocument(document, {
      roots: options.roots,
      at: options.now,
      expect: { maxAgeMs: options.maxAgeMs },
    });
  } catch (error) {
    const check = (error as { check?: string }).check;
    throw new AwsJsonError(KMS_VALIDATION, `The attestation document is not valid${check ? ` (${check})` : ""}.`, { cause: error });
  }
  if (!attestation.publicKey) throw new AwsJsonError(KMS_VALIDATION, "The attestation document does not contain a public key.");
  const conditionKeys: Record<string, string> = {};
  for (const [index, value] of Object.entries(attestation.pcrs)) {
    conditionKeys[`kms:RecipientAttestation:PCR${index}`] = bytesToHex(value).slice(2);
  }
  if (attestation.pcrs[0]) conditionKeys["kms:RecipientAttestation:ImageSha384"] = bytesToHex(attestation.pcrs[0]).slice(2);
  return { publicKey: attestation.publicKey, conditionKeys };
}
