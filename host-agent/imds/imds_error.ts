import { BaseError } from "../../signer/mod.ts";

/**
 * Stable codes of the host-agent's IMDS client. They appear in the daemon's logs and status file (never the
 * credentials themselves).
 */
export const ImdsErrorCode = {
  /** IMDS did not answer (no route, timeout, 5xx): not on EC2, hop limit too low, or throttled. */
  unavailable: "IMDS_UNAVAILABLE",
  /** IMDS answered 4xx: bad token request, or the path does not exist. */
  refused: "IMDS_REFUSED",
  /** IMDS answered something that is not what its documentation says. */
  badResponse: "IMDS_BAD_RESPONSE",
  /** The instance has no instance profile (no role). */
  noRole: "IMDS_NO_ROLE",
  /** The role credentials IMDS served have already expired (or expire within the safety margin). */
  credentialsExpired: "IMDS_CREDENTIALS_EXPIRED",
} as const;

export type ImdsErrorCode = (typeof ImdsErrorCode)[keyof typeof ImdsErrorCode];

/** Anything that went wrong talking to IMDS; `code` says what. */
export class ImdsError extends BaseError {
  override readonly name = "HostAgent.ImdsError";
  override readonly code: ImdsErrorCode;
  constructor(code: ImdsErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
    this.code = code;
  }
}
