import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { SigningFailure } from "./signing_pool.ts";

/**
 * A signing function refused a request in a worker (InvalidParamsError, MissingChainIdError, …): the same
 * code, message, data and name as the error thrown there, so the reply on the wire does not change.
 */
export class RemoteSigningError extends BaseError {
  override readonly name: string;
  constructor(failure: Extract<SigningFailure, { kind: "base" }>) {
    super(failure.code, failure.message, failure.data === undefined ? {} : { data: failure.data });
    this.name = failure.name;
  }
}

/** A signing worker stopped (crashed or was closed) with requests in flight, or none is left. */
export class SigningWorkerError extends BaseError {
  override readonly name = "Signer.SigningWorkerError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.internal, message, options);
  }
}

/**
 * The error to throw in the dispatching thread for a failure reported by a worker. A non-BaseError becomes a
 * plain Error with the original name and no message, so it is answered as INTERNAL and logged by name only.
 *
 * @example
 * ```ts
 * if ("failure" in reply) pending.reject(signingFailureError(reply.failure));
 * ```
 */
export function signingFailureError(failure: SigningFailure): Error {
  if (failure.kind === "base") return new RemoteSigningError(failure);
  const error = new Error("Signing failed in a worker");
  error.name = failure.name;
  return error;
}
