import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import {
  AccountRootPrincipal,
  AnyPrincipal,
  ArnPrincipal,
  Effect,
  type IPrincipal,
  type IRole,
  Policy,
  PolicyDocument,
  PolicyStatement,
} from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Construct } from "constructs";
import { ENCRYPTION_CONTEXT_APP } from "./constants.ts";

/**
 * Key management actions for administrators: everything needed to keep, tag, rotate, describe and retire the
 * key, and nothing that uses it (no Decrypt, Encrypt, ReEncrypt, GenerateDataKey) or delegates its use (no
 * CreateGrant). Explicit names, no wildcards, so a future KMS action is never granted by accident.
 */
export const KEY_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
] as const;

export interface SignerKeyProps {
  /** The parent instances' role: the only principal that may use the key. */
  readonly instanceRole: IRole;
  /** PCR0 (96 lowercase hex digits) of the enclave image allowed to decrypt. */
  readonly pcr0: string;
  /** Further PCR0 values still allowed during an image rotation. @default [] */
  readonly previousPcr0s?: readonly string[];
  /** PCR8 (signing certificate) to require as well. @default - not checked */
  readonly pcr8?: string | undefined;
  /** Principals that manage the key. @default - the account root, i.e. whoever IAM allows */
  readonly administrators?: readonly IPrincipal[];
  /** @default - no alias */
  readonly aliasName?: string;
}

/**
 * The KMS key that wraps every Ethereum private key (DESIGN §6). Its policy is the security boundary:
 * - `kms:Decrypt` only for the instance role, only with an attestation document whose PCR0
 *   (`kms:RecipientAttestation:ImageSha384`) is the image's (and PCR8 when given), only for the signer's
 *   encryption context. KMS then answers with `CiphertextForRecipient`, readable only inside that enclave.
 * - `kms:Encrypt` for the instance role with the signer's encryption context (Encrypt takes no attestation).
 * - administrators manage the key but cannot use it or grant it; the account root is not trusted with `kms:*`,
 *   so no IAM policy can add a decrypt path.
 * - explicit denies: no Decrypt for anyone without the attested image, no grants, no ReEncrypt.
 * `kms:GenerateRandom` is not a key operation (it has no resource), so it is granted on the role's IAM policy,
 * under the same attestation condition.
 *
 * @example
 * ```ts
 * const key = new SignerKey(this, "Key", { instanceRole: role, pcr0 });
 * key.key.keyArn;
 * ```
 */
export class SignerKey extends Construct {
  public readonly key: Key;

  constructor(scope: Construct, id: string, props: SignerKeyProps) {
    super(scope, id);
    const imageSha384 = [props.pcr0, ...(props.previousPcr0s ?? [])];
    const attested: Record<string, string | string[]> = {
      "kms:RecipientAttestation:ImageSha384": imageSha384.length === 1 ? props.pcr0 : imageSha384,
    };
    if (props.pcr8 !== undefined) attested["kms:RecipientAttestation:PCR8"] = props.pcr8;
    const context = { "kms:EncryptionContext:app": ENCRYPTION_CONTEXT_APP };
    const role = props.instanceRole;

    const policy = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: "KeyAdministrationWithoutUse",
          principals: [...(props.administrators ?? [new AccountRootPrincipal()])],
          actions: [...KEY_ADMIN_ACTIONS],
          resources: ["*"],
        }),
        new PolicyStatement({
          sid: "EnclaveDecryptWithAttestedImage",
          principals: [new ArnPrincipal(role.roleArn)],
          actions: ["kms:Decrypt"],
          resources: ["*"],
          conditions: { StringEqualsIgnoreCase: attested, StringEquals: context },
        }),
        new PolicyStatement({
          sid: "EnclaveEncryptWithSignerContext",
          principals: [new ArnPrincipal(role.roleArn)],
          actions: ["kms:Encrypt"],
          resources: ["*"],
          conditions: { StringEquals: context },
        }),
        new PolicyStatement({
          sid: "DenyDecryptWithoutAttestedImage",
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ["kms:Decrypt"],
          resources: ["*"],
          conditions: { StringNotEqualsIgnoreCase: { "kms:RecipientAttestation:ImageSha384": imageSha384 } },
        }),
        new PolicyStatement({
          sid: "DenyGrantsAndReEncrypt",
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ["kms:CreateGrant", "kms:ReEncryptFrom", "kms:ReEncryptTo"],
          resources: ["*"],
        }),
      ],
    });

    this.key = new Key(this, "Key", {
      description: "nitro-eth-signer: wraps Ethereum keys; decrypt only inside the attested enclave image",
      enableKeyRotation: true,
      policy,
      // Deleting this key destroys every key ciphertext, hence every account it protects: never with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
      ...(props.aliasName === undefined ? {} : { alias: props.aliasName }),
    });

    const random = new Policy(this, "GenerateRandomPolicy", {
      statements: [
        new PolicyStatement({
          sid: "EnclaveGenerateRandomWithAttestedImage",
          actions: ["kms:GenerateRandom"],
          resources: ["*"],
          conditions: { StringEqualsIgnoreCase: attested },
        }),
      ],
    });
    role.attachInlinePolicy(random);
    Validations.of(random).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "kms:GenerateRandom is not a key operation and has no resource type, so IAM only accepts Resource '*'; " +
        "the statement is conditioned on the enclave image's attestation (kms:RecipientAttestation:ImageSha384).",
    });
  }
}
