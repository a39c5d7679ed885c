import { AwsJsonError } from "../aws/aws_json_error.ts";
import { bytesToBase64 } from "../../signer/protocol/base64.ts";
import type { AwsJsonContext, AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import { readJsonInput, type JsonInput } from "../aws/read_json_input.ts";

export type SecretVersionRecord = {
  versionId: string;
  secretString?: string;
  /** base64 */
  secretBinary?: string;
  /** ms */
  createdDate: number;
  stages: string[];
};

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

export type SecretsState = { format: 1; secrets: SecretRecord[] };

/** The storage an operation set works on (the Node stand-in passes a JSON file store). */
export type SecretsStore = {
  readonly state: SecretsState;
  update<R>(change: (state: SecretsState) => R): Promise<R>;
};

export type SecretsManagerAuthorizeRequest = {
  readonly principalArn: string;
  /** e.g. `secretsmanager:GetSecretValue` */
  readonly action: string;
  /** Name of the secret acted on; absent for ListSecrets. */
  readonly secretName?: string;
};

export type CreateSecretsManagerOperationsOptions = {
  readonly store: SecretsStore;
  readonly region: string;
  readonly accountId: string;
  /**
   * Stands in for IAM: return false to answer `AccessDeniedException`. The stand-in has no IAM policies;
   * by default every authenticated caller may do everything.
   */
  readonly authorize?: (request: SecretsManagerAuthorizeRequest) => boolean;
};

const NAME = { min: 1, max: 512, pattern: /^[A-Za-z0-9/_+=.@-]+$/ };
const SECRET_ID = { min: 1, max: 2048 };
const TOKEN = { min: 32, max: 64 };
const MAX_SECRET_BYTES = 65536;
const CURRENT = "AWSCURRENT";
const PREVIOUS = "AWSPREVIOUS";
const INVALID = "InvalidParameterException";
const NOT_FOUND_MESSAGE = "Secrets Manager can't find the specified secret.";

/**
 * The Secrets Manager operations of the local stand-in (AWS Secrets Manager API Reference, 2017-10-17):
 * CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret, ListSecrets (filters `name`, `description`,
 * `tag-key`, `tag-value`, `all`, with `!` negation), TagResource, UntagResource, DeleteSecret and RestoreSecret,
 * with the staging labels AWSCURRENT / AWSPREVIOUS and AWS's error names (`ResourceNotFoundException`,
 * `ResourceExistsException`, `InvalidParameterException`, `InvalidRequestException`, `AccessDeniedException`).
 *
 * @example
 * ```ts
 * const handler = createAwsJsonHandler({ service: "secretsmanager", targetPrefix: "secretsmanager", region,
 *   credentials: () => creds, operations: createSecretsManagerOperations({ store, region, accountId }) });
 * ```
 */
export function createSecretsManagerOperations(
  options: CreateSecretsManagerOperationsOptions,
): Record<string, AwsJsonOperation> {
  const { store, region, accountId } = options;
  const authorize = (context: AwsJsonContext, action: string, secretName?: string) => {
    const request = { principalArn: context.caller.principalArn, action: `secretsmanager:${action}`, ...(secretName === undefined ? {} : { secretName }) };
    if (options.authorize && !options.authorize(request)) {
      throw new AwsJsonError(
        "AccessDeniedException",
        `User: ${request.principalArn} is not authorized to perform: ${request.action}${secretName ? ` on resource: ${secretName}` : ""}`,
      );
    }
  };

  /** Finds by name or full ARN; a deleted secret past its deletion date no longer exists. */
  const find = (state: SecretsState, secretId: string, now: number): SecretRecord | undefined =>
    state.secrets.find((s) => (s.name === secretId || s.arn === secretId) && !isPurged(s, now));
  const mustFind = (state: SecretsState, secretId: string, now: number, options: { allowDeleted?: boolean } = {}) => {
    const secret = find(state, secretId, now);
    if (!secret) throw new AwsJsonError("ResourceNotFoundException", NOT_FOUND_MESSAGE);
    if (secret.deletedDate !== undefined && !options.allowDeleted) {
      throw new AwsJsonError(
        "InvalidRequestException",
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    return secret;
  };
  const readValue = (read: JsonInput) => {
    const secretString = read.optionalString("SecretString", { max: MAX_SECRET_BYTES });
    const secretBinary = read.optionalBlob("SecretBinary", { max: MAX_SECRET_BYTES });
    if (secretString !== undefined && secretBinary !== undefined) {
      throw new AwsJsonError(INVALID, "You can't specify both a binary secret value and a string secret value in the same secret.");
    }
    return {
      ...(secretString === undefined ? {} : { secretString }),
      ...(secretBinary === undefined ? {} : { secretBinary: bytesToBase64(secretBinary) }),
    };
  };
  const secretArn = (name: string) => {
    const suffix = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62]).join("");
    return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
  };
  const readTags = (read: JsonInput, field: string) => {
    const tags = read.optionalArray(field, { max: 50 }) ?? [];
    return tags.map((tag) => {
      const t = readJsonInput((tag ?? {}) as Record<string, unknown>, INVALID);
      return { Key: t.string("Key", { min: 1, max: 128 }), Value: t.optionalString("Value", { max: 256 }) ?? "" };
    });
  };
  const addVersion = (secret: SecretRecord, versionId: string, value: { secretString?: string; secretBinary?: string }, now: number, stages: string[]) => {
    const existing = secret.versions.find((v) => v.versionId === versionId);
    if (existing) {
      // ClientRequestToken makes the call idempotent: same token and same value is a no-op (API_PutSecretValue).
      if (existing.secretString !== value.secretString || existing.secretBinary !== value.secretBinary) {
        throw new AwsJsonError("ResourceExistsException", `A version with ID ${versionId} already exists with a different value.`);
      }
      return existing;
    }
    for (const stage of stages) {
      for (const other of secret.versions) {
        if (!other.stages.includes(stage)) continue;
        other.stages = other.stages.filter((s) => s !== stage);
        if (stage === CURRENT) {
          for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== PREVIOUS);
          other.stages.push(PREVIOUS);
        }
      }
    }
    // Versions without a staging label are deprecated and dropped, as AWS eventually does.
    secret.versions = secret.versions.filter((v) => v.stages.length > 0);
    const version = { versionId, ...value, createdDate: now, stages: [...stages] };
    secret.versions.push(version);
    secret.lastChangedDate = now;
    return version;
  };

  return {
    async CreateSecret(input, context) {
      const read = readJsonInput(input, INVALID);
      const name = read.string("Name", NAME);
      authorize(context, "CreateSecret", name);
      const versionId = read.optionalString("ClientRequestToken", TOKEN) ?? crypto.randomUUID();
      const description = read.optionalString("Description", { max: 2048 });
      const kmsKeyId = read.optionalString("KmsKeyId", { max: 2048 });
      const value = readValue(read);
      const tags = readTags(read, "Tags");
      return store.update((state) => {
        state.secrets = state.secrets.filter((s) => !isPurged(s, context.now));
        const existing = find(state, name, context.now);
        if (existing?.deletedDate !== undefined) {
          throw new AwsJsonError("InvalidRequestException", "You can't create this secret because a secret with this name is already scheduled for deletion.");
        }
        if (existing) throw new AwsJsonError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
        const secret: SecretRecord = {
          arn: secretArn(name),
          name,
          ...(description === undefined ? {} : { description }),
          ...(kmsKeyId === undefined ? {} : { kmsKeyId }),
          tags,
          createdDate: context.now,
          lastChangedDate: context.now,
          versions: [],
        };
        const hasValue = value.secretString !== undefined || value.secretBinary !== undefined;
        if (hasValue) addVersion(secret, versionId, value, context.now, [CURRENT]);
        state.secrets.push(secret);
        return { ARN: secret.arn, Name: name, ...(hasValue ? { VersionId: versionId } : {}) };
      });
    },

    async GetSecretValue(input, context) {
      const read = readJsonInput(input, INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const versionId = read.optionalString("VersionId", TOKEN);
      const versionStage = read.optionalString("VersionStage", { min: 1, max: 256 });
      return store.update((state) => {
        const secret = mustFind(state, secretId, context.now);
        authorize(context, "GetSecretValue", secret.name);
        const stage = versionStage ?? (versionId === undefined ? CURRENT : undefined);
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
      const read = readJsonInput(input, INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const versionId = read.optionalString("ClientRequestToken", TOKEN) ?? crypto.randomUUID();
      const value = readValue(read);
      if (value.secretString === undefined && value.secretBinary === undefined) {
        throw new AwsJsonError(INVALID, "You must provide either SecretString or SecretBinary.");
      }
      const stages = (read.optionalArray("VersionStages", { min: 1, max: 20 }) ?? [CURRENT]).map((s) => {
        if (typeof s !== "string" || s.length < 1 || s.length > 256) throw new AwsJsonError(INVALID, "Invalid VersionStages");
        return s;
      });
      return store.update((state) => {
        const secret = mustFind(state, secretId, context.now);
        authorize(context, "PutSecretValue", secret.name);
        const version = addVersion(secret, versionId, value, context.now, stages);
        return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: version.stages };
      });
    },

    DescribeSecret(input, context) {
      const read = readJsonInput(input, INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const secret = mustFind(store.state, secretId, context.now, { allowDeleted: true });
      authorize(context, "DescribeSecret", secret.name);
      return describe(secret);
    },

    ListSecrets(input, context) {
      authorize(context, "ListSecrets");
      const read = readJsonInput(input, INVALID);
      const maxResults = read.optionalInteger("MaxResults", { min: 1, max: 100 }) ?? 100;
      const nextToken = read.optionalString("NextToken", { min: 1, max: 4096 });
      const includeDeleted = read.optionalBoolean("IncludePlannedDeletion") ?? false;
      const sortOrder = read.optionalString("SortOrder", { pattern: /^(asc|desc)$/ }) ?? "asc";
      const filters = (read.optionalArray("Filters", { max: 10 }) ?? []).map((f) => {
        const filter = readJsonInput((f ?? {}) as Record<string, unknown>, INVALID);
        const key = filter.string("Key", { pattern: /^(description|name|tag-key|tag-value|primary-region|owning-service|all)$/ });
        const values = (filter.optionalArray("Values", { min: 1, max: 10 }) ?? []).map((v) => {
          if (typeof v !== "string" || v.length > 512 || !/^!?[a-zA-Z0-9 :_@/+=.\-!]*$/.test(v)) {
            throw new AwsJsonError(INVALID, `Invalid filter value for ${key}`);
          }
          return v;
        });
        if (values.length === 0) throw new AwsJsonError(INVALID, `Filter ${key} needs at least one value`);
        return { key, values };
      });
      let offset = 0;
      if (nextToken !== undefined) {
        offset = Number.parseInt(atobSafe(nextToken) ?? "", 10);
        if (!Number.isInteger(offset) || offset < 0) throw new AwsJsonError("InvalidNextTokenException", "The NextToken value is invalid.");
      }
      const matching = store.state.secrets
        .filter((s) => (includeDeleted || s.deletedDate === undefined) && !isPurged(s, context.now))
        .filter((s) => filters.every((f) => f.values.some((value) => matchesFilter(s, f.key, value))))
        .sort((a, b) => (a.createdDate - b.createdDate || a.name.localeCompare(b.name)) * (sortOrder === "desc" ? -1 : 1));
      const page = matching.slice(offset, offset + maxResults);
      const next = offset + maxResults < matching.length ? btoa(String(offset + maxResults)) : undefined;
      return { SecretList: page.map(describe), ...(next ? { NextToken: next } : {}) };
    },

    async TagResource(input, context) {
      const read = readJsonInput(input, INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const tags = readTags(read, "Tags");
      if (tags.length === 0) throw new AwsJsonError(INVALID, "Tags must not be empty");
      await store.update((state) => {
        const secret = mustFind(state, secretId, context.now);
        authorize(context, "TagResource", secret.name);
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
      const read = readJsonInput(input, INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const keys = (read.optionalArray("TagKeys", { max: 50 }) ?? []).filter((k): k is string => typeof k === "string");
      await store.update((state) => {
        const secret = mustFind(state, secretId, context.now);
        authorize(context, "UntagResource", secret.name);
        secret.tags = secret.tags.filter((t) => !keys.includes(t.Key));
      });
      return {};
    },

    async DeleteSecret(input, context) {
      const read = readJsonInput(input, INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const windowDays = read.optionalInteger("RecoveryWindowInDays", { min: 7, max: 30 });
      const force = read.optionalBoolean("ForceDeleteWithoutRecovery") ?? false;
      if (force && windowDays !== undefined) {
        throw new AwsJsonError(INVALID, "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      return store.update((state) => {
        const secret = mustFind(state, secretId, context.now, { allowDeleted: force });
        authorize(context, "DeleteSecret", secret.name);
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
      const read = readJsonInput(input, INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      return store.update((state) => {
        const secret = mustFind(state, secretId, context.now, { allowDeleted: true });
        authorize(context, "RestoreSecret", secret.name);
        delete secret.deletedDate;
        delete secret.deletionDate;
        return { ARN: secret.arn, Name: secret.name };
      });
    },
  };
}

function isPurged(secret: SecretRecord, now: number): boolean {
  return secret.deletionDate !== undefined && secret.deletionDate <= now;
}

function describe(secret: SecretRecord): Record<string, unknown> {
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

/**
 * API_Filter: `name`, `tag-key`, `tag-value` (and `primary-region`, `owning-service`) are case-sensitive prefix
 * matches, `description` a case-insensitive prefix match, `all` matches words anywhere (case-insensitive). A
 * leading `!` negates. Tag filters are independent: `tag-key` and `tag-value` need not match the same tag.
 */
function matchesFilter(secret: SecretRecord, key: string, rawValue: string): boolean {
  const negate = rawValue.startsWith("!");
  const value = negate ? rawValue.slice(1) : rawValue;
  let hit: boolean;
  switch (key) {
    case "name":
      hit = secret.name.startsWith(value);
      break;
    case "description":
      hit = (secret.description ?? "").toLowerCase().startsWith(value.toLowerCase());
      break;
    case "tag-key":
      hit = secret.tags.some((t) => t.Key.startsWith(value));
      break;
    case "tag-value":
      hit = secret.tags.some((t) => t.Value.startsWith(value));
      break;
    case "all": {
      const haystack = [secret.name, secret.description ?? "", ...secret.tags.flatMap((t) => [t.Key, t.Value])].join(" ").toLowerCase();
      hit = value.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean).every((word) => haystack.includes(word));
      break;
    }
    default:
      hit = false; // primary-region / owning-service: the stand-in has no replicas and no managed secrets.
  }
  return negate ? !hit : hit;
}

function atobSafe(text: string): string | undefined {
  try {
    return atob(text);
  } catch {
    return undefined;
  }
}
