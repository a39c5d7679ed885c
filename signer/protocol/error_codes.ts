/**
 * Stable error codes of the enclave protocol (DESIGN §4). They are the contract between the signer and its
 * callers (rpc-proxy, host-agent): add new ones, never rename or reuse one.
 */
export const ErrorCode = {
  /** The frame could not be decoded as one CBOR item, or is not a `{ id, method, params }` map. */
  badFrame: "BAD_FRAME",
  /** The frame's length prefix is 0 or above the 1 MiB limit. */
  frameTooLarge: "FRAME_TOO_LARGE",
  /** The connection closed in the middle of a frame. */
  truncatedFrame: "TRUNCATED_FRAME",
  unknownMethod: "UNKNOWN_METHOD",
  invalidParams: "INVALID_PARAMS",
  unknownAccount: "UNKNOWN_ACCOUNT",
  missingChainId: "MISSING_CHAIN_ID",
  /** The signer's policy refused the request; `data.reason` says why. */
  policyRefused: "POLICY_REFUSED",
  attestation: "ATTESTATION_FAILED",
  kms: "KMS_ERROR",
  kmsAccessDenied: "KMS_ACCESS_DENIED",
  noCredentials: "NO_CREDENTIALS",
  unavailable: "UNAVAILABLE",
  internal: "INTERNAL",
  /** A CMS envelope (KMS `CiphertextForRecipient`) is not valid BER or not an `EnvelopedData` (RFC 5652 §6). */
  cmsMalformed: "CMS_MALFORMED",
  /** A CMS envelope uses a version, recipient kind or algorithm other than the one KMS uses. */
  cmsUnsupported: "CMS_UNSUPPORTED",
  /** A CMS envelope could not be decrypted with the recipient's private key (wrong key, bad padding). */
  cmsDecryptFailed: "CMS_DECRYPT_FAILED",
  /** The Nitro Secure Module refused a request; `data.reason` is its error code (e.g. InputTooLarge). */
  nsm: "NSM_ERROR",
  /**
   * A key record does not verify: KMS refused its ciphertext under the EncryptionContext built from the record's
   * address and governance (the governance was edited, added or removed), or it differs from the key's in memory.
   */
  keyRecordRefused: "KEY_RECORD_REFUSED",
  /**
   * Fleet windows (docs/fleet-state.md): the account's policy has limits and the request carried no `window`;
   * `data.address`. Read the account's window item and ask again with `window: { record }` (null when absent).
   */
  windowStateRequired: "WINDOW_STATE_REQUIRED",
  /**
   * Fleet windows: the presented window record is malformed, names another account or was not authenticated by this
   * account's key (MAC); `data.address`, `data.reason`.
   */
  windowStateInvalid: "WINDOW_STATE_INVALID",
  /**
   * Fleet windows: the presented record is older than the newest this signer issued or accepted for the account,
   * which still has unexpired entries; `data.address`, `data.version` (presented, 0 for null), `data.newest`, and
   * `data.record` / `data.expiresAt`: that newest record, which the caller may store (conditional write) to repair a
   * write it lost.
   */
  windowStateStale: "WINDOW_STATE_STALE",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
