import { verifyAttestationDocument } from "../../signer/attestation/verify_attestation_document.ts";
import { AwsJsonError } from "../aws/aws_json_error.ts";
import { base64ToBytes, bytesToBase64 } from "../../signer/protocol/base64.ts";
import type { AwsJsonContext, AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import { readJsonInput, type JsonInput } from "../aws/read_json_input.ts";
import { ciphertextBlobKeyId, openCiphertextBlob, sealCiphertextBlob } from "./ciphertext_blob.ts";
import { encryptForRecipient } from "./encrypt_for_recipient.ts";
import { evaluateKeyPolicy } from "./evaluate_key_policy.ts";
import { type KeyPolicy, parseKeyPolicy } from "./parse_key_policy.ts";

export type KmsKeyRecord = {
  keyId: string;
  arn: string;
  /** ms */
  createdDate: number;
  description: string;
  /** The key policy document, as given. */
  policy: string;
  /** base64 of the key's 32-byte AES-256-GCM secret (local stand-in only). */
  secret: string;
  tags: { TagKey: string; TagValue: string }[];
};

export type KmsState = {
  format: 1;
  keys: KmsKeyRecord[];
  /** Alias name (`alias/…`) → key id. Optional so state files written before aliases existed still load. */
  aliases?: Record<string, string>;
};

/** The storage the operations work on (the Node stand-in passes a JSON file store). */
export type KmsStore = {
  readonly state: KmsState;
  update<R>(change: (state: KmsState) => R): Promise<R>;
};

export type CreateKmsOperationsOptions = {
  readonly store: KmsStore;
  readonly region: string;
  readonly accountId: string;
  /** Roots (PEM or DER) that attestation documents must chain to: the AWS Nitro root, or a simulated one. */
  readonly attestationRoots: readonly (string | Uint8Array)[];
  /** Documents older (or further in the future) than this are refused. @default 300000 (5 minutes, as KMS) */
  readonly maxAttestationAgeMs?: number;
};

const VALIDATION = "ValidationException";
const KEY_ID = { min: 1, max: 2048 };
const SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";

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
  const maxAge = options.maxAttestationAgeMs ?? 5 * 60_000;
  const policies = new Map<string, KeyPolicy>();
  const policyOf = (record: KmsKeyRecord) => {
    let policy = policies.get(record.policy);
    if (!policy) {
      policy = parseKeyPolicy(record.policy);
      policies.set(record.policy, policy);
    }
    return policy;
  };

  const keyArn = (keyId: string) => `arn:aws:kms:${region}:${accountId}:key/${keyId}`;

  const aliasArn = (name: string) => `arn:aws:kms:${region}:${accountId}:${name}`;

  /** KeyId may be a key id, key ARN, alias name (`alias/…`) or alias ARN (AWS KMS API Reference, "KeyId"). */
  const findKey = (keyIdInput: string): KmsKeyRecord => {
    const aliasName = keyIdInput.startsWith("alias/")
      ? keyIdInput
      : keyIdInput.startsWith(aliasArn("alias/"))
      ? keyIdInput.slice(aliasArn("").length)
      : undefined;
    if (aliasName !== undefined) {
      const target = store.state.aliases?.[aliasName];
      const record = target === undefined ? undefined : store.state.keys.find((k) => k.keyId === target);
      if (!record) throw new AwsJsonError("NotFoundException", `Alias ${aliasArn(aliasName)} is not found.`);
      return record;
    }
    const record = store.state.keys.find((k) => k.keyId === keyIdInput || k.arn === keyIdInput);
    if (record) return record;
    const arn = keyIdInput.startsWith("arn:") ? keyIdInput : keyArn(keyIdInput);
    throw new AwsJsonError("NotFoundException", `Key '${arn}' does not exist`);
  };

  const baseContext = (context: AwsJsonContext): Record<string, string | string[]> => ({
    "aws:PrincipalArn": context.caller.principalArn,
    "aws:PrincipalAccount": accountOf(context.caller.principalArn),
    "kms:CallerAccount": accountOf(context.caller.principalArn),
    "aws:SecureTransport": "true",
    "aws:RequestedRegion": region,
    "aws:CurrentTime": new Date(context.now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(context.now / 1000)),
  });

  const authorize = (
    record: KmsKeyRecord,
    context: AwsJsonContext,
    action: string,
    conditionKeys: Record<string, string | string[]>,
  ) => {
    const { decision } = evaluateKeyPolicy(policyOf(record), {
      principalArn: context.caller.principalArn,
      action: `kms:${action}`,
      resource: record.arn,
      context: { ...baseContext(context), ...conditionKeys },
    });
    if (decision === "Allow") return;
    const why = decision === "ExplicitDeny"
      ? "with an explicit deny in a resource-based policy"
      : `because no resource-based policy allows the kms:${action} action`;
    throw new AwsJsonError(
      "AccessDeniedException",
      `User: ${context.caller.principalArn} is not authorized to perform: kms:${action} on resource: ${record.arn} ${why}`,
    );
  };

  /** Policy lockout safety check (API_PutKeyPolicy: BypassPolicyLockoutSafetyCheck). */
  const lockoutCheck = (policy: KeyPolicy, arn: string, context: AwsJsonContext, bypass: boolean) => {
    if (bypass) return;
    const { decision } = evaluateKeyPolicy(policy, {
      principalArn: context.caller.principalArn,
      action: "kms:PutKeyPolicy",
      resource: arn,
      context: baseContext(context),
    });
    if (decision !== "Allow") {
      throw new AwsJsonError(
        "MalformedPolicyDocumentException",
        "The new key policy will not allow you to update the key policy in the future.",
      );
    }
  };

  const readEncryptionContext = (read: JsonInput) => {
    const encryptionContext = read.optionalStringMap("EncryptionContext") ?? {};
    const conditionKeys: Record<string, string | string[]> = {};
    const keys = Object.keys(encryptionContext);
    if (keys.length > 0) conditionKeys["kms:EncryptionContextKeys"] = keys;
    for (const [key, value] of Object.entries(encryptionContext)) conditionKeys[`kms:EncryptionContext:${key}`] = value;
    return { encryptionContext, conditionKeys };
  };

  /** Verifies `Recipient` and returns its public key and the RecipientAttestation condition keys. */
  const readRecipient = async (read: JsonInput, context: AwsJsonContext) => {
    const recipient = read.optionalObject("Recipient");
    if (!recipient) return undefined;
    const r = readJsonInput(recipient, VALIDATION);
    const algorithm = r.optionalString("KeyEncryptionAlgorithm") ?? "RSAES_OAEP_SHA_256";
    if (algorithm !== "RSAES_OAEP_SHA_256") {
      throw new AwsJsonError(VALIDATION, "1 validation error detected: Value at 'recipient.keyEncryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [RSAES_OAEP_SHA_256]");
    }
    const document = r.blob("AttestationDocument", { min: 1, max: 262144 });
    let attestation;
    try {
      attestation = await verifyAttestationDocument(document, {
        roots: options.attestationRoots,
        at: context.now,
        expect: { maxAgeMs: maxAge },
      });
    } catch (error) {
      const check = (error as { check?: string }).check;
      throw new AwsJsonError(VALIDATION, `The attestation document is not valid${check ? ` (${check})` : ""}.`, { cause: error });
    }
    if (!attestation.publicKey) throw new AwsJsonError(VALIDATION, "The attestation document does not contain a public key.");
    const conditionKeys: Record<string, string> = {};
    for (const [index, value] of Object.entries(attestation.pcrs)) {
      conditionKeys[`kms:RecipientAttestation:PCR${index}`] = toHex(value);
    }
    if (attestation.pcrs[0]) conditionKeys["kms:RecipientAttestation:ImageSha384"] = toHex(attestation.pcrs[0]);
    return { publicKey: attestation.publicKey, conditionKeys };
  };

  /** Plaintext or CiphertextForRecipient, zeroing the plaintext once it is encoded. */
  const answer = async (plaintext: Uint8Array, recipient: { publicKey: Uint8Array } | undefined) => {
    try {
      if (!recipient) return { Plaintext: bytesToBase64(plaintext) };
      let envelope: Uint8Array;
      try {
        envelope = await encryptForRecipient(plaintext, recipient.publicKey);
      } catch (cause) {
        throw new AwsJsonError(VALIDATION, "The public key in the attestation document is not an RSA-2048..4096 SubjectPublicKeyInfo.", { cause });
      }
      return { CiphertextForRecipient: bytesToBase64(envelope) };
    } finally {
      plaintext.fill(0);
    }
  };

  const metadata = (record: KmsKeyRecord) => ({
    AWSAccountId: accountId,
    KeyId: record.keyId,
    Arn: record.arn,
    CreationDate: record.createdDate / 1000,
    Enabled: true,
    Description: record.description,
    KeyUsage: "ENCRYPT_DECRYPT",
    KeyState: "Enabled",
    Origin: "AWS_KMS",
    KeyManager: "CUSTOMER",
    CustomerMasterKeySpec: SYMMETRIC_DEFAULT,
    KeySpec: SYMMETRIC_DEFAULT,
    EncryptionAlgorithms: [SYMMETRIC_DEFAULT],
    MultiRegion: false,
  });

  const checkAlgorithm = (read: JsonInput) => {
    const algorithm = read.optionalString("EncryptionAlgorithm");
    if (algorithm !== undefined && algorithm !== SYMMETRIC_DEFAULT) {
      throw new AwsJsonError("InvalidKeyUsageException", `The stand-in's keys are symmetric: EncryptionAlgorithm must be ${SYMMETRIC_DEFAULT}.`);
    }
  };

  return {
    async CreateKey(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const description = read.optionalString("Description", { max: 8192 }) ?? "";
      const keyUsage = read.optionalString("KeyUsage") ?? "ENCRYPT_DECRYPT";
      const keySpec = read.optionalString("KeySpec") ?? read.optionalString("CustomerMasterKeySpec") ?? SYMMETRIC_DEFAULT;
      const origin = read.optionalString("Origin") ?? "AWS_KMS";
      if (keyUsage !== "ENCRYPT_DECRYPT" || keySpec !== SYMMETRIC_DEFAULT || origin !== "AWS_KMS" || read.optionalBoolean("MultiRegion")) {
        throw new AwsJsonError("UnsupportedOperationException", "The local KMS stand-in supports only SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys of origin AWS_KMS in one region.");
      }
      const keyId = crypto.randomUUID();
      const arn = keyArn(keyId);
      const policyText = read.optionalString("Policy", { min: 1, max: 32768 }) ?? defaultPolicy(accountId);
      const policy = parseKeyPolicy(policyText);
      lockoutCheck(policy, arn, context, read.optionalBoolean("BypassPolicyLockoutSafetyCheck") ?? false);
      const tags = (read.optionalArray("Tags", { max: 50 }) ?? []).map((t) => {
        const tag = readJsonInput((t ?? {}) as Record<string, unknown>, VALIDATION);
        return { TagKey: tag.string("TagKey", { min: 1, max: 128 }), TagValue: tag.string("TagValue", { max: 256 }) };
      });
      const secret = crypto.getRandomValues(new Uint8Array(32));
      const record: KmsKeyRecord = {
        keyId,
        arn,
        createdDate: context.now,
        description,
        policy: policyText,
        secret: bytesToBase64(secret),
        tags,
      };
      secret.fill(0);
      await store.update((state) => void state.keys.push(record));
      return { KeyMetadata: metadata(record) };
    },

    DescribeKey(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const record = findKey(read.string("KeyId", KEY_ID));
      authorize(record, context, "DescribeKey", {});
      return { KeyMetadata: metadata(record) };
    },

    async Encrypt(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const record = findKey(read.string("KeyId", KEY_ID));
      const plaintext = read.blob("Plaintext", { min: 1, max: 4096 });
      checkAlgorithm(read);
      const { encryptionContext, conditionKeys } = readEncryptionContext(read);
      authorize(record, context, "Encrypt", { ...conditionKeys, "kms:EncryptionAlgorithm": SYMMETRIC_DEFAULT });
      try {
        const blob = await sealCiphertextBlob({ keyId: record.keyId, secret: secretOf(record), plaintext, encryptionContext });
        return { CiphertextBlob: bytesToBase64(blob), KeyId: record.arn, EncryptionAlgorithm: SYMMETRIC_DEFAULT };
      } finally {
        plaintext.fill(0);
      }
    },

    async Decrypt(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const blob = read.blob("CiphertextBlob", { min: 1, max: 6144 });
      const blobKeyId = ciphertextBlobKeyId(blob);
      const record = store.state.keys.find((k) => k.keyId === blobKeyId);
      if (!record) throw new AwsJsonError("InvalidCiphertextException", "The ciphertext refers to a key that does not exist.");
      const keyIdInput = read.optionalString("KeyId", KEY_ID);
      if (keyIdInput !== undefined && findKey(keyIdInput).keyId !== record.keyId) {
        throw new AwsJsonError("IncorrectKeyException", "The key ID in the request does not identify a KMS key that can perform this operation.");
      }
      checkAlgorithm(read);
      const { encryptionContext, conditionKeys } = readEncryptionContext(read);
      const recipient = await readRecipient(read, context);
      authorize(record, context, "Decrypt", {
        ...conditionKeys,
        ...recipient?.conditionKeys,
        "kms:EncryptionAlgorithm": SYMMETRIC_DEFAULT,
      });
      if (read.optionalBoolean("DryRun")) throw new AwsJsonError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
      const plaintext = await openCiphertextBlob(blob, secretOf(record), encryptionContext);
      return { KeyId: record.arn, EncryptionAlgorithm: SYMMETRIC_DEFAULT, ...(await answer(plaintext, recipient)) };
    },

    async GenerateDataKey(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const record = findKey(read.string("KeyId", KEY_ID));
      const numberOfBytes = read.optionalInteger("NumberOfBytes", { min: 1, max: 1024 });
      const keySpec = read.optionalString("KeySpec", { pattern: /^AES_(128|256)$/ });
      if ((numberOfBytes === undefined) === (keySpec === undefined)) {
        throw new AwsJsonError(VALIDATION, "Exactly one of NumberOfBytes and KeySpec must be specified.");
      }
      const { encryptionContext, conditionKeys } = readEncryptionContext(read);
      const recipient = await readRecipient(read, context);
      authorize(record, context, "GenerateDataKey", { ...conditionKeys, ...recipient?.conditionKeys });
      if (read.optionalBoolean("DryRun")) throw new AwsJsonError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.");
      const length = numberOfBytes ?? (keySpec === "AES_128" ? 16 : 32);
      const plaintext = crypto.getRandomValues(new Uint8Array(length));
      const blob = await sealCiphertextBlob({ keyId: record.keyId, secret: secretOf(record), plaintext, encryptionContext });
      return { KeyId: record.arn, CiphertextBlob: bytesToBase64(blob), ...(await answer(plaintext, recipient)) };
    },

    async GenerateRandom(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const numberOfBytes = read.optionalInteger("NumberOfBytes", { min: 1, max: 1024 });
      if (numberOfBytes === undefined) throw new AwsJsonError(VALIDATION, "NumberOfBytes must be specified.");
      if (read.optionalString("CustomKeyStoreId") !== undefined) {
        throw new AwsJsonError("CustomKeyStoreNotFoundException", "The local KMS stand-in has no custom key stores.");
      }
      const recipient = await readRecipient(read, context);
      return answer(crypto.getRandomValues(new Uint8Array(numberOfBytes)), recipient);
    },

    async CreateAlias(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const aliasName = read.string("AliasName", { min: 1, max: 256, pattern: /^alias\/[a-zA-Z0-9/_-]+$/ });
      if (aliasName.startsWith("alias/aws/")) throw new AwsJsonError("NotAuthorizedException", "The alias/aws/ prefix is reserved for AWS managed keys.");
      const record = findKey(read.string("TargetKeyId", KEY_ID));
      authorize(record, context, "CreateAlias", {});
      await store.update((state) => {
        state.aliases ??= {};
        if (Object.hasOwn(state.aliases, aliasName)) throw new AwsJsonError("AlreadyExistsException", `An alias with the name ${aliasArn(aliasName)} already exists`);
        state.aliases[aliasName] = record.keyId;
      });
      return {};
    },

    GetKeyPolicy(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const record = findKey(read.string("KeyId", KEY_ID));
      checkPolicyName(read);
      authorize(record, context, "GetKeyPolicy", {});
      return { Policy: record.policy, PolicyName: "default" };
    },

    async PutKeyPolicy(input, context) {
      const read = readJsonInput(input, VALIDATION);
      const record = findKey(read.string("KeyId", KEY_ID));
      checkPolicyName(read);
      const policyText = read.string("Policy", { min: 1, max: 32768 });
      authorize(record, context, "PutKeyPolicy", {});
      const policy = parseKeyPolicy(policyText);
      lockoutCheck(policy, record.arn, context, read.optionalBoolean("BypassPolicyLockoutSafetyCheck") ?? false);
      await store.update((state) => {
        const stored = state.keys.find((k) => k.keyId === record.keyId);
        if (stored) stored.policy = policyText;
      });
      return {};
    },
  };
}

function checkPolicyName(read: JsonInput): void {
  const name = read.optionalString("PolicyName", { min: 1, max: 128 });
  if (name !== undefined && name !== "default") throw new AwsJsonError("NotFoundException", `Policy ${name} does not exist; keys have one policy, "default".`);
}

/** KMS's default key policy (AWS KMS Developer Guide, "Default key policy"): the account may use IAM to grant access. */
function defaultPolicy(accountId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Id: "key-default-1",
    Statement: [
      {
        Sid: "Enable IAM User Permissions",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
    ],
  });
}

function secretOf(record: KmsKeyRecord): Uint8Array {
  const secret = base64ToBytes(record.secret);
  if (!secret || secret.length !== 32) throw new Error(`Corrupt key secret for ${record.keyId}`);
  return secret;
}

function accountOf(arn: string): string {
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? "";
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
