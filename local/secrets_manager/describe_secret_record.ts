import type { SecretRecord } from "./secrets_state.ts";

/**
 * A secret as DescribeSecret and ListSecrets answer it (API_DescribeSecret): dates in seconds, optional fields
 * only when set, `VersionIdsToStages` for every version; never the value.
 *
 * @example
 * ```ts
 * return { SecretList: page.map(describeSecretRecord) };
 * ```
 */
export function describeSecretRecord(secret: SecretRecord): Record<string, unknown> {
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description === undefined ? {} : { Description: secret.description }),
    ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
    Tags: secret.tags,
    CreatedDate: secret.createdDate / 1000,
    LastChangedDate: secret.lastChangedDate / 1000,
    ...(secret.lastAccessedDate === undefined ? {} : { LastAccessedDate: secret.lastAccessedDate / 1000 }),
    ...(secret.deletedDate === undefined ? {} : { DeletedDate: secret.deletedDate / 1000 }),
    VersionIdsToStages: Object.fromEntries(secret.versions.map((v) => [v.versionId, v.stages])),
  };
}
