import { base64ToBytes, bytesToBase64 } from "../../common/mod.ts";
import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { type JsonInput, readJsonInput } from "../aws/read_json_input.ts";
import { answerPlaintext } from "./answer_plaintext.ts";
import { ciphertextBlobKeyId, openCiphertextBlob, sealCiphertextBlob } from "./ciphertext_blob.ts";
import type { KmsKeyAccess } from "./create_kms_key_access.ts";
import { KMS_KEY_ID, KMS_VALIDATION, type KmsKeyRecord, type KmsState, SYMMETRIC_DEFAULT } from "./kms_state.ts";
import { readEncryptionContext } from "./read_encryption_context.ts";
import { readRecipient } from "./read_recipient.ts";

export type CreateKmsCryptoOperationsOptions = {
  readonly store: JsonFileStore<KmsState>;
  readonly access: KmsKeyAccess;
  /** Roots (PEM or DER) that attestation documents must chain to. */
  readonly attestationRoots: readonly (string | Uint8Array)[];
  /** Documents older (or further in the future) than this are refused. */
  readonly maxAttestationAgeMs: number;
};

type KmsCryptoOperations = Record<"Encrypt" | "Decrypt" | "GenerateDataKey" | "GenerateRandom", AwsJsonOperation>;

/**
 * The KMS stand-in's cryptographic operations: Encrypt, Decrypt, GenerateDataKey and GenerateRandom. Ciphertext
 * blobs are sealed with AES-GCM under the key's secret and bound to the key id and encryption context; Decrypt
 * finds the key from the blob (a `KeyId` naming another key is `IncorrectKeyException`); with a `Recipient` the
 * answer is `CiphertextForRecipient` and no `Plaintext` ({@link answerPlaintext}).
 *
 * @example
 * ```ts
 * const operations = createKmsCryptoOperations({ store, access, attestationRoots: [rootPem], maxAttestationAgeMs: 300_000 });
 * ```
 */
export function createKmsCryptoOperations(options: CreateKmsCryptoOperationsOptions): KmsCryptoOperations {
  const { store, access } = options;
  const recipientOf = (read: JsonInput, now: number) =>
    readRecipient(read, { roots: options.attestationRoots, now, maxAgeMs: options.maxAttestationAgeMs });

  return {
    async Encrypt(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const record = access.findKey(read.string("KeyId", KMS_KEY_ID));
      const plaintext = read.blob("Plaintext", { min: 1, max: 4096 });
      checkAlgorithm(read);
      const { encryptionContext, conditionKeys } = readEncryptionContext(read);
      access.authorize(record, context, "Encrypt", { ...conditionKeys, "kms:EncryptionAlgorithm": SYMMETRIC_DEFAULT });
      try {
        const blob = await sealCiphertextBlob({ keyId: record.keyId, secret: secretOf(record), plaintext, encryptionContext });
        return { CiphertextBlob: bytesToBase64(blob), KeyId: record.arn, EncryptionAlgorithm: SYMMETRIC_DEFAULT };
      } finally {
        plaintext.fill(0);
      }
    },

    async Decrypt(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const blob = read.blob("CiphertextBlob", { min: 1, max: 6144 });
      const blobKeyId = ciphertextBlobKeyId(blob);
      const record = store.state.keys.find((k) => k.keyId === blobKeyId);
      if (!record) throw new AwsJsonError("InvalidCiphertextException", "The ciphertext refers to a key that does not exist.");
      const keyIdInput = read.optionalString("KeyId", KMS_KEY_ID);
      if (keyIdInput !== undefined && access.findKey(keyIdInput).keyId !== record.keyId) {
        throw new AwsJsonError("IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
      }
      checkAlgorithm(read);
      const { encryptionContext, conditionKeys } = readEncryptionContext(read);
      const recipient = await recipientOf(read, context.now);
      access.authorize(record, context, "Decrypt", {
        ...conditionKeys,
        ...recipient?.conditionKeys,
        "kms:EncryptionAlgorithm": SYMMETRIC_DEFAULT,
      });
      if (read.optionalBoolean("DryRun")) throw new AwsJsonError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
      const plaintext = await openCiphertextBlob(blob, secretOf(record), encryptionContext);
      return { KeyId: record.arn, EncryptionAlgorithm: SYMMETRIC_DEFAULT, ...(await answerPlaintext(plaintext, recipient)) };
    },

    async GenerateDataKey(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const record = access.findKey(read.string("KeyId", KMS_KEY_ID));
      const numberOfBytes = read.optionalInteger("NumberOfBytes", { min: 1, max: 1024 });
      const keySpec = read.optionalString("KeySpec", { pattern: /^AES_(128|256)$/ });
      if ((numberOfBytes === undefined) === (keySpec === undefined)) {
        throw new AwsJsonError(KMS_VALIDATION, "Exactly one of NumberOfBytes and KeySpec must be specified.");
      }
      const { encryptionContext, conditionKeys } = readEncryptionContext(read);
      const recipient = await recipientOf(read, context.now);
      access.authorize(record, context, "GenerateDataKey", { ...conditionKeys, ...recipient?.conditionKeys });
      if (read.optionalBoolean("DryRun")) throw new AwsJsonError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
      const length = numberOfBytes ?? (keySpec === "AES_128" ? 16 : 32);
      const plaintext = crypto.getRandomValues(new Uint8Array(length));
      const blob = await sealCiphertextBlob({ keyId: record.keyId, secret: secretOf(record), plaintext, encryptionContext });
      return { KeyId: record.arn, CiphertextBlob: bytesToBase64(blob), ...(await answerPlaintext(plaintext, recipient)) };
    },

    /** Not key-scoped: with no IAM in the stand-in, any authenticated caller may call it. */
    async GenerateRandom(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const numberOfBytes = read.optionalInteger("NumberOfBytes", { min: 1, max: 1024 });
      if (numberOfBytes === undefined) throw new AwsJsonError(KMS_VALIDATION, "NumberOfBytes must be specified.");
      if (read.optionalString("CustomKeyStoreId") !== undefined) {
        throw new AwsJsonError("CustomKeyStoreNotFoundException", "The local KMS stand-in has no custom key stores.");
      }
      const recipient = await recipientOf(read, context.now);
      return answerPlaintext(crypto.getRandomValues(new Uint8Array(numberOfBytes)), recipient);
    },
  };
}

function checkAlgorithm(read: JsonInput): void {
  const algorithm = read.optionalString("EncryptionAlgorithm");
  if (algorithm !== undefined && algorithm !== SYMMETRIC_DEFAULT) {
    throw new AwsJsonError("InvalidKeyUsageException", `The stand-in's keys are symmetric: EncryptionAlgorithm must be ${SYMMETRIC_DEFAULT}.`);
  }
}

function secretOf(record: KmsKeyRecord): Uint8Array {
  const secret = base64ToBytes(record.secret);
  if (!secret || secret.length !== 32) throw new Error(`Corrupt key secret for ${record.keyId}`);
  return secret;
}
