/**
 * The one error base class of the project. Every error that can reach a caller is a subclass with a stable
 * `code` (a string that never changes once released) and a namespaced `name`; `shortMessage` is safe to show
 * to a client, `details` adds context for logs. Nothing secret (keys, credentials) ever goes into either.
 *
 * @example
 * ```ts
 * class FrameTooLargeError extends BaseError {
 *   override readonly name = "Protocol.FrameTooLargeError";
 *   constructor(length: number) { super("FRAME_TOO_LARGE", `Cannot read frame: length ${length} exceeds 1048576`); }
 * }
 * ```
 */
export class BaseError extends Error {
  override readonly name: string = "BaseError";
  readonly code: string;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly data: unknown;

  constructor(
    code: string,
    shortMessage: string,
    options: { cause?: unknown; details?: string; data?: unknown } = {},
  ) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
    this.data = options.data;
  }
}
