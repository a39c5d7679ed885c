import { BaseError } from "./base_error.ts";
import { ErrorCode } from "./error_codes.ts";

/** Thrown by the frame decoder when bytes on the wire cannot be a frame; the connection must be closed. */
export class FrameError extends BaseError {
  override readonly name = "Protocol.FrameError";
  constructor(code: typeof ErrorCode.badFrame | typeof ErrorCode.frameTooLarge | typeof ErrorCode.truncatedFrame, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}
