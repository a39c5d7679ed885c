import { AwsJsonError } from "./aws_json_error.ts";
import { base64ToBytes } from "../../common/mod.ts";

export type StringRule = { readonly min?: number; readonly max?: number; readonly pattern?: RegExp };

/** Typed accessors over an AWS JSON request body; every failure is an AWS error of the service's kind. */
export type JsonInput = {
  string(field: string, rule?: StringRule): string;
  optionalString(field: string, rule?: StringRule): string | undefined;
  /** A base64 blob (AWS JSON encodes blobs as base64 strings), `min`/`max` in decoded bytes. */
  blob(field: string, rule?: { readonly min?: number; readonly max?: number }): Uint8Array;
  optionalBlob(field: string, rule?: { readonly min?: number; readonly max?: number }): Uint8Array | undefined;
  optionalInteger(field: string, rule: { readonly min: number; readonly max: number }): number | undefined;
  optionalBoolean(field: string): boolean | undefined;
  /** A `map<string,string>` such as KMS's EncryptionContext. */
  optionalStringMap(field: string): Record<string, string> | undefined;
  optionalArray(field: string, rule?: { readonly min?: number; readonly max?: number }): unknown[] | undefined;
  optionalObject(field: string): Record<string, unknown> | undefined;
};

/**
 * Wraps a parsed AWS JSON 1.1 request body for validation. `errorType` is the service's name for a bad
 * parameter: `ValidationException` (KMS), `InvalidParameterException` (Secrets Manager).
 *
 * @example
 * ```ts
 * const read = readJsonInput(input, "ValidationException");
 * const keyId = read.string("KeyId", { min: 1, max: 2048 });
 * ```
 */
export function readJsonInput(input: Record<string, unknown>, errorType: string): JsonInput {
  const fail = (field: string, problem: string): never => {
    throw new AwsJsonError(errorType, `1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint: ${problem}`);
  };
  const present = (field: string) => Object.hasOwn(input, field) && input[field] !== null && input[field] !== undefined;
  const checkString = (field: string, rule: StringRule = {}): string => {
    const value = input[field];
    if (typeof value !== "string") return fail(field, "Member must be a string");
    if (rule.min !== undefined && value.length < rule.min) fail(field, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && value.length > rule.max) fail(field, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern && !rule.pattern.test(value)) fail(field, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    return value;
  };
  const checkBlob = (field: string, rule: { min?: number; max?: number } = {}): Uint8Array => {
    const bytes = base64ToBytes(checkString(field)) ?? fail(field, "Member must be base64");
    if (rule.min !== undefined && bytes.length < rule.min) fail(field, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && bytes.length > rule.max) fail(field, `Member must have length less than or equal to ${rule.max}`);
    return bytes;
  };
  return {
    string(field, rule) {
      if (!present(field)) fail(field, "Member must not be null");
      return checkString(field, rule);
    },
    optionalString: (field, rule) => (present(field) ? checkString(field, rule) : undefined),
    blob(field, rule) {
      if (!present(field)) fail(field, "Member must not be null");
      return checkBlob(field, rule);
    },
    optionalBlob: (field, rule) => (present(field) ? checkBlob(field, rule) : undefined),
    optionalInteger(field, rule) {
      if (!present(field)) return undefined;
      const value = input[field];
      if (typeof value !== "number" || !Number.isInteger(value)) return fail(field, "Member must be an integer");
      if (value < rule.min) fail(field, `Member must have value greater than or equal to ${rule.min}`);
      if (value > rule.max) fail(field, `Member must have value less than or equal to ${rule.max}`);
      return value;
    },
    optionalBoolean(field) {
      if (!present(field)) return undefined;
      const value = input[field];
      return typeof value === "boolean" ? value : fail(field, "Member must be a boolean");
    },
    optionalStringMap(field) {
      if (!present(field)) return undefined;
      const value = input[field];
      if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(field, "Member must be a map");
      const out: Record<string, string> = {};
      for (const [key, entry] of Object.entries(value)) {
        if (typeof entry !== "string") fail(field, "Map values must be strings");
        out[key] = entry as string;
      }
      return out;
    },
    optionalArray(field, rule = {}) {
      if (!present(field)) return undefined;
      const value = input[field];
      if (!Array.isArray(value)) return fail(field, "Member must be a list");
      if (rule.min !== undefined && value.length < rule.min) fail(field, `Member must have length greater than or equal to ${rule.min}`);
      if (rule.max !== undefined && value.length > rule.max) fail(field, `Member must have length less than or equal to ${rule.max}`);
      return value;
    },
    optionalObject(field) {
      if (!present(field)) return undefined;
      const value = input[field];
      if (typeof value !== "object" || value === null || Array.isArray(value)) return fail(field, "Member must be a structure");
      return value as Record<string, unknown>;
    },
  };
}

function lowerFirst(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}
