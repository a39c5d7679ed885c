import type { JsonInput } from "../aws/read_json_input.ts";

export type ReadEncryptionContextReturnType = {
  /** The request's `EncryptionContext` (empty when absent). */
  readonly encryptionContext: Record<string, string>;
  /** `kms:EncryptionContextKeys` and one `kms:EncryptionContext:<key>` per entry, for the key policy. */
  readonly conditionKeys: Record<string, string | string[]>;
};

/**
 * Reads a request's optional `EncryptionContext` and the key-policy condition keys it sets (AWS KMS Developer
 * Guide, "kms:EncryptionContext:context-key" and "kms:EncryptionContextKeys").
 *
 * @example
 * ```ts
 * const { encryptionContext, conditionKeys } = readEncryptionContext(readJsonInput(input, KMS_VALIDATION));
 * ```
 */
export function readEncryptionContext(read: JsonInput): ReadEncryptionContextReturnType {
  const encryptionContext = read.optionalStringMap("EncryptionContext") ?? {};
  const conditionKeys: Record<string, string | string[]> = {};
  const keys = Object.keys(encryptionContext);
  if (keys.length > 0) conditionKeys["kms:EncryptionContextKeys"] = keys;
  for (const [key, value] of Object.entries(encryptionContext)) conditionKeys[`kms:EncryptionContext:${key}`] = value;
  return { encryptionContext, conditionKeys };
}
