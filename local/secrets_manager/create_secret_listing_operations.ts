import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { readJsonInput } from "../aws/read_json_input.ts";
import type { SecretsAccess } from "./create_secrets_access.ts";
import { describeSecretRecord } from "./describe_secret_record.ts";
import { matchSecretFilter } from "./match_secret_filter.ts";
import { isPurged, SECRET_ID, type SecretsState, SM_INVALID } from "./secrets_state.ts";

export type CreateSecretListingOperationsOptions = {
  readonly store: JsonFileStore<SecretsState>;
  readonly access: SecretsAccess;
};

type SecretListingOperations = Record<"DescribeSecret" | "ListSecrets", AwsJsonOperation>;

/**
 * The Secrets Manager stand-in's read-only catalogue: DescribeSecret (also of a secret marked for deletion) and
 * ListSecrets (filters as {@link matchSecretFilter}, `IncludePlannedDeletion`, `SortOrder` by creation date,
 * pages of `MaxResults` with an opaque `NextToken`). Neither ever answers a secret's value.
 *
 * @example
 * ```ts
 * const operations = createSecretListingOperations({ store, access });
 * ```
 */
export function createSecretListingOperations(options: CreateSecretListingOperationsOptions): SecretListingOperations {
  const { store, access } = options;
  return {
    DescribeSecret(input, context) {
      const read = readJsonInput(input, SM_INVALID);
      const secretId = read.string("SecretId", SECRET_ID);
      const secret = access.mustFind(store.state, secretId, context.now, { allowDeleted: true });
      access.authorize(context, "DescribeSecret", secret.name);
      return describeSecretRecord(secret);
    },

    ListSecrets(input, context) {
      access.authorize(context, "ListSecrets");
      const read = readJsonInput(input, SM_INVALID);
      const maxResults = read.optionalInteger("MaxResults", { min: 1, max: 100 }) ?? 100;
      const nextToken = read.optionalString("NextToken", { min: 1, max: 4096 });
      const includeDeleted = read.optionalBoolean("IncludePlannedDeletion") ?? false;
      const sortOrder = read.optionalString("SortOrder", { pattern: /^(asc|desc)$/ }) ?? "asc";
      const filters = (read.optionalArray("Filters", { max: 10 }) ?? []).map((f) => {
        const filter = readJsonInput((f ?? {}) as Record<string, unknown>, SM_INVALID);
        const key = filter.string("Key", { pattern: /^(description|name|tag-key|tag-value|primary-region|owning-service|all)$/ });
        const values = (filter.optionalArray("Values", { min: 1, max: 10 }) ?? []).map((v) => {
          if (typeof v !== "string" || v.length > 512 || !/^!?[a-zA-Z0-9 :_@/+=.\-!]*$/.test(v)) {
            throw new AwsJsonError(SM_INVALID, `Invalid filter value for ${key}`);
          }
          return v;
        });
        if (values.length === 0) throw new AwsJsonError(SM_INVALID, `Filter ${key} needs at least one value`);
        return { key, values };
      });
      let offset = 0;
      if (nextToken !== undefined) {
        offset = Number.parseInt(atobSafe(nextToken) ?? "", 10);
        if (!Number.isInteger(offset) || offset < 0) throw new AwsJsonError("InvalidNextTokenException", "The NextToken value is invalid.");
      }
      const matching = store.state.secrets
        .filter((s) => (includeDeleted || s.deletedDate === undefined) && !isPurged(s, context.now))
        .filter((s) => filters.every((f) => f.values.some((value) => matchSecretFilter(s, { key: f.key, value }))))
        .sort((a, b) => (a.createdDate - b.createdDate || a.name.localeCompare(b.name)) * (sortOrder === "desc" ? -1 : 1));
      const page = matching.slice(offset, offset + maxResults);
      const next = offset + maxResults < matching.length ? btoa(String(offset + maxResults)) : undefined;
      return { SecretList: page.map(describeSecretRecord), ...(next ? { NextToken: next } : {}) };
    },
  };
}

function atobSafe(text: string): string | undefined {
  try {
    return atob(text);
  } catch {
    return undefined;
  }
}
