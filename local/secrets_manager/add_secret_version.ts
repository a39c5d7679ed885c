import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { SecretValue } from "./create_secrets_access.ts";
import { AWSCURRENT, AWSPREVIOUS, type SecretRecord, type SecretVersionRecord } from "./secrets_state.ts";

export type AddSecretVersionOptions = {
  readonly versionId: string;
  readonly value: SecretValue;
  /** ms */
  readonly now: number;
  /** Staging labels the new version takes (moved from the versions that had them). */
  readonly stages: readonly string[];
};

/**
 * Adds a version to `secret` (in place) with Secrets Manager's staging-label rules (API_PutSecretValue): each
 * label moves to the new version; when AWSCURRENT moves, the version that had it becomes AWSPREVIOUS; versions
 * left without a label are dropped. The same `versionId` (ClientRequestToken) with the same value is a no-op
 * that returns the existing version; with another value it is `ResourceExistsException`.
 *
 * @example
 * ```ts
 * const version = addSecretVersion(secret, { versionId, value: { secretString }, now, stages: ["AWSCURRENT"] });
 * ```
 */
export function addSecretVersion(secret: SecretRecord, options: AddSecretVersionOptions): SecretVersionRecord {
  const { versionId, value, now, stages } = options;
  const existing = secret.versions.find((v) => v.versionId === versionId);
  if (existing) {
    if (existing.secretString !== value.secretString || existing.secretBinary !== value.secretBinary) {
      throw new AwsJsonError("ResourceExistsException", `A version with ID ${versionId} already exists with a different value.`);
    }
    return existing;
  }
  for (const stage of stages) {
    for (const other of secret.versions) {
      if (!other.stages.includes(stage)) continue;
      other.stages = other.stages.filter((s) => s !== stage);
      if (stage === AWSCURRENT) {
        for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== AWSPREVIOUS);
        other.stages.push(AWSPREVIOUS);
      }
    }
  }
  // Versions without a staging label are deprecated and dropped, as AWS eventually does.
  secret.versions = secret.versions.filter((v) => v.stages.length > 0);
  const version = { versionId, ...value, createdDate: now, stages: [...stages] };
  secret.versions.push(version);
  secret.lastChangedDate = now;
  return version;
}
