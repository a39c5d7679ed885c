import { bytesToBase64 } from "../../common/mod.ts";
import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { type JsonInput, readJsonInput } from "../aws/read_json_input.ts";
import type { KmsKeyAccess } from "./create_kms_key_access.ts";
import { KMS_KEY_ID, KMS_VALIDATION, type KmsKeyRecord, type KmsState, SYMMETRIC_DEFAULT } from "./kms_state.ts";
import { parseKeyPolicy } from "./parse_key_policy.ts";

export type CreateKmsKeyOperationsOptions = {
  readonly store: JsonFileStore<KmsState>;
  readonly access: KmsKeyAccess;
  readonly accountId: string;
};

type KmsKeyOperations = Record<"CreateKey" | "DescribeKey" | "CreateAlias" | "GetKeyPolicy" | "PutKeyPolicy", AwsJsonOperation>;

/**
 * The KMS stand-in's key management operations: CreateKey (SYMMETRIC_DEFAULT only; the default key policy
 * unless one is given; the policy lockout safety check), DescribeKey, CreateAlias (not under `alias/aws/`),
 * GetKeyPolicy and PutKeyPolicy (the one policy, `default`).
 *
 * @example
 * ```ts
 * const operations = createKmsKeyOperations({ store, access, accountId });
 * ```
 */
export function createKmsKeyOperations(options: CreateKmsKeyOperationsOptions): KmsKeyOperations {
  const { store, access, accountId } = options;
  return {
    /** Not key-scoped: with no IAM in the stand-in, any authenticated caller may call it. */
    async CreateKey(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const description = read.optionalString("Description", { max: 8192 }) ?? "";
      const keyUsage = read.optionalString("KeyUsage") ?? "ENCRYPT_DECRYPT";
      const keySpec = read.optionalString("KeySpec") ?? read.optionalString("CustomerMasterKeySpec") ?? SYMMETRIC_DEFAULT;
      const origin = read.optionalString("Origin") ?? "AWS_KMS";
      if (keyUsage !== "ENCRYPT_DECRYPT" || keySpec !== SYMMETRIC_DEFAULT || origin !== "AWS_KMS" || read.optionalBoolean("MultiRegion")) {
        throw new AwsJsonError("UnsupportedOperationException", "The local KMS stand-in supports only SYMMETRIC_DEFAULT ENCRYPT_DECRYPT keys of origin AWS_KMS in one region.");
      }
      const keyId = crypto.randomUUID();
      const arn = access.keyArn(keyId);
      const policyText = read.optionalString("Policy", { min: 1, max: 32768 }) ?? defaultPolicy(accountId);
      const policy = parseKeyPolicy(policyText);
      access.lockoutCheck(policy, arn, context, read.optionalBoolean("BypassPolicyLockoutSafetyCheck") ?? false);
      const tags = (read.optionalArray("Tags", { max: 50 }) ?? []).map((t) => {
        const tag = readJsonInput((t ?? {}) as Record<string, unknown>, KMS_VALIDATION);
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
      return { KeyMetadata: access.metadata(record) };
    },

    DescribeKey(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const record = access.findKey(read.string("KeyId", KMS_KEY_ID));
      access.authorize(record, context, "DescribeKey", {});
      return { KeyMetadata: access.metadata(record) };
    },

    async CreateAlias(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const aliasName = read.string("AliasName", { min: 1, max: 256, pattern: /^alias\/[a-zA-Z0-9/_-]+$/ });
      if (aliasName.startsWith("alias/aws/")) throw new AwsJsonError("NotAuthorizedException", "The alias/aws/ prefix is reserved for AWS managed keys.");
      const record = access.findKey(read.string("TargetKeyId", KMS_KEY_ID));
      access.authorize(record, context, "CreateAlias", {});
      await store.update((state) => {
        state.aliases ??= {};
        if (Object.hasOwn(state.aliases, aliasName)) throw new AwsJsonError("AlreadyExistsException", `An alias with the name ${access.aliasArn(aliasName)} already exists`);
        state.aliases[aliasName] = record.keyId;
      });
      return {};
    },

    GetKeyPolicy(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const record = access.findKey(read.string("KeyId", KMS_KEY_ID));
      checkPolicyName(read);
      access.authorize(record, context, "GetKeyPolicy", {});
      return { Policy: record.policy, PolicyName: "default" };
    },

    async PutKeyPolicy(input, context) {
      const read = readJsonInput(input, KMS_VALIDATION);
      const record = access.findKey(read.string("KeyId", KMS_KEY_ID));
      checkPolicyName(read);
      const policyText = read.string("Policy", { min: 1, max: 32768 });
      access.authorize(record, context, "PutKeyPolicy", {});
      const policy = parseKeyPolicy(policyText);
      access.lockoutCheck(policy, record.arn, context, read.optionalBoolean("BypassPolicyLockoutSafetyCheck") ?? false);
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
