/** One version of a secret, as the state file keeps it. */
export type SecretVersionRecord = {
  versionId: string;
  secretString?: string;
  /** base64 */
  secretBinary?: string;
  /** ms */
  createdDate: number;
  stages: string[];
};

/** One secret of the local Secrets Manager stand-in, as the state file keeps it. */
export type SecretRecord = {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** Set by DeleteSecret with a recovery window. */
  deletedDate?: number;
  /** When a deleted secret is purged (deletedDate + recovery window). */
  deletionDate?: number;
  versions: SecretVersionRecord[];
};

/**
 * The state file of the local Secrets Manager stand-in (`stateDir/secrets/secrets.json`), kept in a
 * `JsonFileStore<SecretsState>`.
 *
 * @example
 * ```ts
 * const empty: SecretsState = { format: 1, secrets: [] };
 * ```
 */
export type SecretsState = { format: 1; secrets: SecretRecord[] };

/** What the stand-in asks its IAM stand-in (`authorize`) before each operation. */
export type SecretsManagerAuthorizeRequest = {
  readonly principalArn: string;
  /** e.g. `secretsmanager:GetSecretValue` */
  readonly action: string;
  /** Name of the secret acted on; absent for ListSecrets. */
  readonly secretName?: string;
};

/** Secrets Manager's error for a malformed parameter. */
export const SM_INVALID = "InvalidParameterException";
/** Length limits of `SecretId` (a name or an ARN). */
export const SECRET_ID = { min: 1, max: 2048 } as const;
/** Length limits of `ClientRequestToken` / `VersionId`. */
export const VERSION_TOKEN = { min: 32, max: 64 } as const;
/** The staging label of a secret's current version. */
export const AWSCURRENT = "AWSCURRENT";
/** The staging label of the version that was current before. */
export const AWSPREVIOUS = "AWSPREVIOUS";

/**
 * Whether a deleted secret is past its deletion date: then it no longer exists, and its name is free.
 *
 * @example
 * ```ts
 * const live = state.secrets.filter((s) => !isPurged(s, now));
 * ```
 */
export function isPurged(secret: SecretRecord, now: number): boolean {
  return secret.deletionDate !== undefined && secret.deletionDate <= now;
}
