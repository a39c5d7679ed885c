/** One key of the local KMS stand-in, as its state file keeps it. */
export type KmsKeyRecord = {
  keyId: string;
  arn: string;
  /** ms */
  createdDate: number;
  description: string;
  /** The key policy document, as given. */
  policy: string;
  /** base64 of the key's 32-byte AES-256-GCM secret (local stand-in only). */
  secret: string;
  tags: { TagKey: string; TagValue: string }[];
};

/**
 * The state file of the local KMS stand-in (`stateDir/kms/keys.json`), kept in a `JsonFileStore<KmsState>`.
 *
 * @example
 * ```ts
 * const empty: KmsState = { format: 1, keys: [] };
 * ```
 */
export type KmsState = {
  format: 1;
  keys: KmsKeyRecord[];
  /** Alias name (`alias/…`) → key id. Optional so state files written before aliases existed still load. */
  aliases?: Record<string, string>;
};

/** KMS's error for a malformed request. */
export const KMS_VALIDATION = "ValidationException";
/** Length limits of `KeyId` (AWS KMS API Reference). */
export const KMS_KEY_ID = { min: 1, max: 2048 } as const;
/** The one key spec and encryption algorithm the stand-in's keys have. */
export const SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT";
