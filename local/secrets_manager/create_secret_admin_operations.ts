import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { readJsonInput } from "../aws/read_json_input.ts";
import type { SecretsAccess } from "./create_secrets_access.ts";
import { SECRET_ID, type SecretsState, SM_INVALID } from "./secrets_state.ts";

export type CreateSecretAdminOperationsOptions = {
  readonly store: JsonFileStore<SecretsState>;
  readonly access: SecretsAccess;
};

type SecretAdminOperations = Record<"TagResource" | "UntagResource" | "DeleteSecret" | "RestoreSecret", AwsJsonOperation>;

/**
 * The Secrets Manager stand-in's tag and deletion operations: TagResource (at most 50 tags), UntagResource,
 * DeleteSecret (a recovery window of 7–30 days, 30 by default, or `ForceDeleteWithoutRecovery`, never both) and
 * RestoreSecret.
 *
 * @example
 * ```ts
 * const operations = createSecretAdminOperations({ store, access });
 * ```
 */
export function createSecretAdminOperations(options: CreateSecretAdminOperationsOptions): SecretAdminOperations {
  const { store, access } = options;
  return {
    async TagResource(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const tags = access.readTags(read, "Tags");
      if (tags.length === 0) throw new AwsJsonError(SM_INVALID, "Tags must not be empty");
      await store.update((state) => {
        const secret = access.mustFind(state, secretId, context.now);
        access.authorize(context, "TagResource", secret.name);
        for (const tag of tags) {
          const existing = secret.tags.find((t) => t.Key === tag.Key);
          if (existing) existing.Value = tag.Value;
          else secret.tags.push(tag);
        }
        if (secret.tags.length > 50) throw new AwsJsonError("LimitExceededException", "A secret can have at most 50 tags.");
      });
      return {};
    },

    async UntagResource(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const keys = (read.optionalArray("TagKeys", { max: 50 }) ?? []).filter((k): k is string => typeof k === "string");
      await store.update((state) => {
        const secret = access.mustFind(state, secretId, context.now);
        access.authorize(context, "UntagResource", secret.name);
        secret.tags = secret.tags.filter((t) => !keys.includes(t.Key));
      });
      return {};
    },

    async DeleteSecret(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const windowDays = read.optionalInteger("RecoveryWindowInDays", { min: 7, max: 30 });
      const force = read.optionalBoolean("ForceDeleteWithoutRecovery") ?? false;
      if (force && windowDays !== undefined) {
        throw new AwsJsonError(SM_INVALID, "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      return store.update((state) => {
        const secret = access.mustFind(state, secretId, context.now, { allowDeleted: force });
        access.authorize(context, "DeleteSecret", secret.name);
        if (force) {
          state.secrets = state.secrets.filter((s) => s !== secret);
          return { ARN: secret.arn, Name: secret.name, DeletionDate: context.now / 1000 };
        }
        secret.deletedDate = context.now;
        secret.deletionDate = context.now + (windowDays ?? 30) * 86_400_000;
        return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate / 1000 };
      });
    },

    async RestoreSecret(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      return store.update((state) => {
        const secret = access.mustFind(state, secretId, context.now, { allowDeleted: true });
        access.authorize(context, "RestoreSecret", secret.name);
        delete secret.deletedDate;
        delete secret.deletionDate;
        return { ARN: secret.arn, Name: secret.name };
      });
    },
  };
}
