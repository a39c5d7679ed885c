import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { readJsonInput } from "../aws/read_json_input.ts";
import { addSecretVersion } from "./add_secret_version.ts";
import type { SecretsAccess } from "./create_secrets_access.ts";
import { AWSCURRENT, isPurged, SECRET_ID, type SecretRecord, type SecretsState, SM_INVALID, VERSION_TOKEN } from "./secrets_state.ts";

export type CreateSecretValueOperationsOptions = {
  readonly store: JsonFileStore<SecretsState>;
  readonly access: SecretsAccess;
};

type SecretValueOperations = Record<"CreateSecret" | "GetSecretValue" | "PutSecretValue", AwsJsonOperation>;

const NAME = { min: 1, max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/ };

/**
 * The Secrets Manager stand-in's value operations: CreateSecret (a name that is scheduled for deletion or taken
 * is refused), GetSecretValue (by VersionId and/or VersionStage, AWSCURRENT by default; records the day of
 * access) and PutSecretValue (staging labels as {@link addSecretVersion} moves them).
 *
 * @example
 * ```ts
 * const operations = createSecretValueOperations({ store, access });
 * ```
 */
export function createSecretValueOperations(options: CreateSecretValueOperationsOptions): SecretValueOperations {
  const { store, access } = options;
  return {
    async CreateSecret(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const name = read.string("Name", NAME);
      access.authorize(context, "CreateSecret", name);
      const versionId = read.optionalString("ClientRequestToken", VERSION_TOKEN) ?? crypto.randomUUID();
      const description = read.optionalString("Description", { max: 2048 });
      const kmsKeyId = read.optionalString("KmsKeyId", { max: 2048 });
      const value = access.readValue(read);
      const tags = access.readTags(read, "Tags");
      return store.update((state) => {
        state.secrets = state.secrets.filter((s) => !isPurged(s, context.now));
        const existing = access.find(state, name, context.now);
        if (existing?.deletedDate !== undefined) {
          throw new AwsJsonError("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.");
        }
        if (existing) throw new AwsJsonError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
        const secret: SecretRecord = {
          arn: access.secretArn(name),
          name,
          ...(description === undefined ? {} : { description }),
          ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
          tags,
          createdDate: context.now,
          lastChangedDate: context.now,
          versions: [],
        };
        const hasValue = value.secretString !== undefined || value.secretBinary !== undefined;
        if (hasValue) addSecretVersion(secret, { versionId, value, now: context.now, stages: [AWSCURRENT] });
        state.secrets.push(secret);
        return { ARN: secret.arn, Name: name, ...(hasValue ? { VersionId: versionId } : {}) };
      });
    },

    async GetSecretValue(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const versionId = read.optionalString("VersionId", VERSION_TOKEN);
      const versionStage = read.optionalString("VersionStage", { min: 1, max: 256 });
      return store.update((state) => {
        const secret = access.mustFind(state, secretId, context.now);
        access.authorize(context, "GetSecretValue", secret.name);
        const stage = versionStage ?? (versionId === undefined ? AWSCURRENT : undefined);
        const version = secret.versions.find(
          (v) => (versionId === undefined || v.versionId === versionId) && (stage === undefined || v.stages.includes(stage)),
        );
        if (!version) {
          throw new AwsJsonError("ResourceNotFoundException", "Secrets Manager can't find the specified secret value for the requested version or staging label.");
        }
        secret.lastAccessedDate = Math.floor(context.now / 86_400_000) * 86_400_000;
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: version.versionId,
          ...(version.secretString === undefined ? {} : { SecretString: version.secretString }),
          ...(version.secretBinary === undefined ? {} : { SecretBinary: version.secretBinary }),
          VersionStages: version.stages,
          CreatedDate: version.createdDate / 1000,
        };
      });
    },

    async PutSecretValue(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const versionId = read.optionalString("ClientRequestToken", VERSION_TOKEN) ?? crypto.randomUUID();
      const value = access.readValue(read);
      if (value.secretString === undefined && value.secretBinary === undefined) {
        throw new AwsJsonError(SM_INVALID, "You must provide either SecretString or SecretBinary.");
      }
      const stages = (read.optionalArray("VersionStages", { min: 1, max: 20 }) ?? [AWSCURRENT]).map((s) => {
        if (typeof s !== "string" || s.length < 1 || s.length > 256) throw new AwsJsonError(SM_INVALID, "Invalid VersionStages");
        return s;
      });
      return store.update((state) => {
        const secret = access.mustFind(state, secretId, context.now);
        access.authorize(context, "PutSecretValue", secret.name);
        const version = addSecretVersion(secret, { versionId, value, now: context.now, stages });
        return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
      });
    },
  };
}
