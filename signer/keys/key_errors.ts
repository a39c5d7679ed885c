import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/** A key could not be loaded, imported or made: the reason says which step, never the key. */
export class KeyOperationError extends BaseError {
  override readonly name = "Signer.KeyOperationError";
  constructor(code: typeof ErrorCode.invalidParams | typeof ErrorCode.kms | typeof ErrorCode.internal, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
