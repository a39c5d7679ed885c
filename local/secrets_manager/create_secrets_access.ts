import { bytesToBase64 } from "../../common/mod.ts";
import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { AwsJsonContext } from "../aws/create_aws_json_handler.ts";
import { type JsonInput, readJsonInput } from "../aws/read_json_input.ts";
import {
  isPurged,
  type SecretRecord,
  type SecretsManagerAuthorizeRequest,
  type SecretsState,
  SM_INVALID,
} from "./secrets_state.ts";

export type CreateSecretsAccessOptions = {
  readonly region: string;
  readonly accountId: string;
  /** Stands in for IAM: return false to answer `AccessDeniedException`. @default allow everything */
  readonly authorize?: (request: SecretsManagerAuthorizeRequest) => boolean;
};

/** A secret's value as a request gives it: at most one of the two. */
export type SecretValue = { secretString?: string; secretBinary?: string };

/** What the Secrets Manager stand-in's operations share. */
export type SecretsAccess = {
  /** Throws `AccessDeniedException` when the IAM stand-in refuses `secretsmanager:<action>`. */
  authorize(context: AwsJsonContext, action: string, secretName?: string): void;
  /** Finds by name or full ARN; a deleted secret past its deletion date no longer exists. */
  find(state: SecretsState, secretId: string, now: number): SecretRecord | undefined;
  /** `find`, else `ResourceNotFoundException`; a secret marked for deletion is `InvalidRequestException` unless allowed. */
  mustFind(state: SecretsState, secretId: string, now: number, options?: { allowDeleted?: boolean }): SecretRecord;
  /** `SecretString` or `SecretBinary` (base64 in the state), each at most 64 KiB; both is `InvalidParameterException`. */
  readValue(read: JsonInput): SecretValue;
  /** A list of `{ Key, Value }` tags (at most 50). */
  readTags(read: JsonInput, field: string): { Key: string; Value: string }[];
  /** A new secret's ARN: the name and a random six-character suffix, as AWS writes it. */
  secretArn(name: string): string;
};

const MAX_SECRET_BYTES = 65536;
const NOT_FOUND_MESSAGE = "Secrets Manager can't find the specified secret.";
const ARN_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * The lookups, input readers and IAM check the Secrets Manager stand-in's operations share (AWS Secrets Manager
 * API Reference, 2017-10-17).
 *
 * @example
 * ```ts
 * const access = createSecretsAccess({ region, accountId });
 * const secret = access.mustFind(store.state, "signer/api-keys", context.now);
 * access.authorize(context, "DescribeSecret", secret.name);
 * ```
 */
export function createSecretsAccess(options: CreateSecretsAccessOptions): SecretsAccess {
  const { region, accountId } = options;
  const find = (state: SecretsState, secretId: string, now: number): SecretRecord | undefined =>
    state.secrets.find((s) => (s.name === secretId || s.arn === secretId) && !isPurged(s, now));

  return {
    authorize(context, action, secretName) {
      const request = { principalArn: context.caller.principalArn, action: `secretsmanager:${action}`, ...(secretName === undefined ? {} : { secretName }) };
      if (options.authorize && !options.authorize(request)) {
        throw new AwsJsonError(
          "AccessDeniedException",
          `User: ${request.principalArn} is not authorized to perform: ${request.action}${secretName ? ` on resource: ${secretName}` : ""}`,
        );
      }
    },

    find,

    mustFind(state, secretId, now, options = {}) {
      const secret = find(state, secretId, now);
      if (!secret) throw new AwsJsonError("ResourceNotFoundException", NOT_FOUND_MESSAGE);
      if (secret.deletedDate !== undefined && !options.allowDeleted) {
        throw new AwsJsonError(
          "InvalidRequestException",
          "You can't perform this operation on the secret because it was marked for deletion.",
        );
      }
      return secret;
    },

    readValue(read) {
      const secretString = read.optionalString("SecretString", { max: MAX_SECRET_BYTES });
      const secretBinary = read.optionalBlob("SecretBinary", { max: MAX_SECRET_BYTES });
      if (secretString !== undefined && secretBinary !== undefined) {
        throw new AwsJsonError(SM_INVALID, "You can't specify both a binary secret value and a string secret value in the same secret.");
      }
      return {
        ...(secretString === undefined ? {} : { secretString }),
        ...(secretBinary === undefined ? {} : { secretBinary: bytesToBase64(secretBinary) }),
      };
    },

    readTags(read, field) {
      const tags = read.optionalArray(field, { max: 50 }) ?? [];
      return tags.map((tag) => {
        const t = readJsonInput((tag ?? {}) as Record<string, unknown>, SM_INVALID);
        return { Key: t.string("Key", { min: 1, max: 128 }), Value: t.optionalString("Value", { max: 256 }) ?? "" };
      });
    },

    secretArn(name) {
      const suffix = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => ARN_SUFFIX_ALPHABET[b % 62]).join("");
      return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
    },
  };
}
