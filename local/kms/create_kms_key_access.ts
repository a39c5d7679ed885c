import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { AwsJsonContext } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { evaluateKeyPolicy } from "./evaluate_key_policy.ts";
import { type KmsKeyRecord, type KmsState, SYMMETRIC_DEFAULT } from "./kms_state.ts";
import { type KeyPolicy, parseKeyPolicy } from "./parse_key_policy.ts";

export type CreateKmsKeyAccessOptions = {
  readonly store: JsonFileStore<KmsState>;
  readonly region: string;
  readonly accountId: string;
};

/** How every key-scoped operation finds its key and asks its key policy. */
export type KmsKeyAccess = {
  /** `arn:aws:kms:<region>:<account>:key/<keyId>` */
  keyArn(keyId: string): string;
  /** `arn:aws:kms:<region>:<account>:<alias/…>` */
  aliasArn(name: string): string;
  /** KeyId may be a key id, key ARN, alias name (`alias/…`) or alias ARN; else `NotFoundException`. */
  findKey(keyIdInput: string): KmsKeyRecord;
  /** Throws `AccessDeniedException` unless the key policy allows `kms:<action>` to the caller. */
  authorize(record: KmsKeyRecord, context: AwsJsonContext, action: string, conditionKeys: Record<string, string | string[]>): void;
  /** The policy lockout safety check: a new policy must still let the caller call PutKeyPolicy. */
  lockoutCheck(policy: KeyPolicy, arn: string, context: AwsJsonContext, bypass: boolean): void;
  /** The `KeyMetadata` of a DescribeKey or CreateKey answer. */
  metadata(record: KmsKeyRecord): Record<string, unknown>;
};

/**
 * The key lookup and key-policy checks the KMS stand-in's operations share (AWS KMS API Reference, "KeyId";
 * AWS KMS Developer Guide, "Key policies"). Parsed policies are cached by their text. The policy context has
 * the global condition keys KMS sets: `aws:PrincipalArn`, `aws:PrincipalAccount`, `kms:CallerAccount`,
 * `aws:SecureTransport`, `aws:RequestedRegion`, `aws:CurrentTime` and `aws:EpochTime`.
 *
 * @example
 * ```ts
 * const access = createKmsKeyAccess({ store, region, accountId });
 * const record = access.findKey("alias/signer");
 * access.authorize(record, context, "DescribeKey", {});
 * ```
 */
export function createKmsKeyAccess(options: CreateKmsKeyAccessOptions): KmsKeyAccess {
  const { store, region, accountId } = options;
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

  const baseContext = (context: AwsJsonContext): Record<string, string | string[]> => ({
    "aws:PrincipalArn": context.caller.principalArn,
    "aws:PrincipalAccount": accountOf(context.caller.principalArn),
    "kms:CallerAccount": accountOf(context.caller.principalArn),
    "aws:SecureTransport": "true",
    "aws:RequestedRegion": region,
    "aws:CurrentTime": new Date(context.now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(context.now / 1000)),
  });

  return {
    keyArn,
    aliasArn,

    findKey(keyIdInput) {
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
    },

    authorize(record, context, action, conditionKeys) {
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
    },

    /** API_PutKeyPolicy: BypassPolicyLockoutSafetyCheck. */
    lockoutCheck(policy, arn, context, bypass) {
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
    },

    metadata: (record) => ({
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
    }),
  };
}

function accountOf(arn: string): string {
  return /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1] ?? "";
}
