import type { AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { createKmsCryptoOperations } from "./create_kms_crypto_operations.ts";
import { createKmsKeyAccess } from "./create_kms_key_access.ts";
import { createKmsKeyOperations } from "./create_kms_key_operations.ts";
import type { KmsState } from "./kms_state.ts";

export type CreateKmsOperationsOptions = {
  /** The stand-in's state (the Node stand-in passes a JSON file store). */
  readonly store: JsonFileStore<KmsState>;
  readonly region: string;
  readonly accountId: string;
  /** Roots (PEM or DER) that attestation documents must chain to: the AWS Nitro root, or a simulated one. */
  readonly attestationRoots: readonly (string | Uint8Array)[];
  /** Documents older (or further in the future) than this are refused. @default 300000 (5 minutes, as KMS) */
  readonly maxAttestationAgeMs?: number;
};

/**
 * The KMS operations of the local stand-in (AWS KMS API Reference): CreateKey, CreateAlias, DescribeKey, Encrypt,
 * Decrypt, GenerateDataKey, GenerateRandom, GetKeyPolicy and PutKeyPolicy on symmetric keys (KeyId: key id, key
 * ARN, alias name or alias ARN). What it enforces, as KMS does:
 *
 * - the key policy ({@link evaluateKeyPolicy}) of every key operation, with condition keys `aws:PrincipalArn`,
 *   `kms:CallerAccount`, `kms:EncryptionContext:<key>`, `kms:EncryptionContextKeys`, `kms:EncryptionAlgorithm`,
 *   `kms:RecipientAttestation:ImageSha384` (= PCR0) and `kms:RecipientAttestation:PCR<n>` (lower-case hex),
 *   and the policy lockout safety check on CreateKey/PutKeyPolicy;
 * - `Recipient` (Decrypt, GenerateDataKey, GenerateRandom): `KeyEncryptionAlgorithm` must be RSAES_OAEP_SHA_256,
 *   the attestation document must verify against `attestationRoots` at the current time and be at most 5 minutes
 *   old, its `public_key` must be an RSA key; the answer is `CiphertextForRecipient` (CMS EnvelopedData to that
 *   key, as real KMS) and no `Plaintext`;
 * - ciphertext blobs authenticated with AES-GCM under a per-key secret, bound to the key id and the encryption
 *   context: another context → `InvalidCiphertextException`; a `KeyId` other than the blob's →
 *   `IncorrectKeyException`.
 *
 * CreateKey and GenerateRandom are not key-scoped; with no IAM in the stand-in, any authenticated caller may call
 * them (GenerateRandom with a Recipient still needs a valid attestation document).
 *
 * @example
 * ```ts
 * const operations = createKmsOperations({ store, region, accountId, attestationRoots: [rootPem] });
 * ```
 */
export function createKmsOperations(options: CreateKmsOperationsOptions): Record<string, AwsJsonOperation> {
  const { store, region, accountId } = options;
  const access = createKmsKeyAccess({ store, region, accountId });
  return {
    ...createKmsKeyOperations({ store, access, accountId }),
    ...createKmsCryptoOperations({
      store,
      access,
      attestationRoots: options.attestationRoots,
      maxAttestationAgeMs: options.maxAttestationAgeMs ?? 5 * 60_000,
    }),
  };
}
