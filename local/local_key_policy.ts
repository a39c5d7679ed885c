import { LOCAL_ADMIN_ROLE_ARN, LOCAL_INSTANCE_ROLE_ARN } from "./aws/local_credential.ts";
import { ENCRYPTION_CONTEXT_APP } from "../signer/mod.ts";

/**
 * The key policy of the local stack's KMS key, the same shape the CDK app deploys (deploy/): the instance role
 * may Encrypt only under the signer's EncryptionContext and Decrypt only for an attested enclave whose image
 * hash (PCR0) is the approved one; the admin manages the key but can never decrypt.
 *
 * @example
 * ```ts
 * await kms.send(new CreateKeyCommand({ Policy: JSON.stringify(localKeyPolicy(pcr0)) }));
 * ```
 */
export function localKeyPolicy(pcr0: string): Record<string, unknown> {
  if (!/^[0-9a-f]{96}$/.test(pcr0)) throw new TypeError("Cannot build key policy: PCR0 must be 96 lowercase hex digits");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "KeyAdministration",
        Effect: "Allow",
        Principal: { AWS: LOCAL_ADMIN_ROLE_ARN },
        Action: [
          "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
          "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
          "kms:CancelKeyDeletion",
        ],
        Resource: "*",
      },
      {
        Sid: "SignerEncryptsKeys",
        Effect: "Allow",
        Principal: { AWS: LOCAL_INSTANCE_ROLE_ARN },
        Action: "kms:Encrypt",
        Resource: "*",
        Condition: { StringEquals: { "kms:EncryptionContext:app": ENCRYPTION_CONTEXT_APP } },
      },
      {
        Sid: "OnlyTheAttestedEnclaveDecrypts",
        Effect: "Allow",
        Principal: { AWS: LOCAL_INSTANCE_ROLE_ARN },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: {
          StringEquals: { "kms:RecipientAttestation:ImageSha384": pcr0, "kms:EncryptionContext:app": ENCRYPTION_CONTEXT_APP },
        },
      },
    ],
  };
}
