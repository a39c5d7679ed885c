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
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];
