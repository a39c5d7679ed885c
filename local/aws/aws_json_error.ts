import { BaseError } from "../../signer/mod.ts";

/**
 * An error a local AWS stand-in returns on the wire: AWS JSON 1.1 puts the exception name in `__type` (and the
 * `x-amzn-ErrorType` header) and the text in `message`, which is what the real SDKs turn into their exception
 * classes (e.g. `AccessDeniedException`, `InvalidCiphertextException`, `ResourceNotFoundException`). `code` is
 * that exception name. The message never holds key material or credentials.
 *
 * @example
 * ```ts
 * throw new AwsJsonError("NotFoundException", `Key '${arn}' does not exist`);
 * ```
 */
export class AwsJsonError extends BaseError {
  override readonly name = "Local.AwsJsonError";
  /** The AWS exception name, sent as `__type`. */
  readonly type: string;
  /** HTTP status: 400 for client faults (AWS JSON services use 400 even for access denied), 500 for ours. */
  readonly status: number;

  constructor(type: string, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(type, message, options.cause === undefined ? {} : { cause: options.cause });
    this.type = type;
    this.status = options.status ?? 400;
  }
}
