import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { NsmErrorCode } from "./nsm.ts";

/** Stable code of NSM failures (`ErrorCode.nsm`). */
export const NSM_ERROR_CODE = ErrorCode.nsm;

/**
 * A failed NSM call: the NSM answered `{ "Error": "<Code>" }`, the ioctl failed (`errno` set), or the answer
 * could not be decoded (`reason` "InvalidResponse").
 *
 * @example
 * ```ts
 * try { await nsm.describePcr(99); } catch (e) { if (e instanceof NsmError && e.reason === "InvalidIndex") … }
 * ```
 */
export class NsmError extends BaseError {
  override readonly name = "Nsm.NsmError";
  readonly reason: NsmErrorCode;
  readonly errno: number | undefined;

  constructor(reason: NsmErrorCode, message: string, options: { errno?: number; cause?: unknown } = {}) {
    super(NSM_ERROR_CODE, `NSM error ${reason}: ${message}`, { cause: options.cause, data: { reason } });
    this.reason = reason;
    this.errno = options.errno;
  }
}
