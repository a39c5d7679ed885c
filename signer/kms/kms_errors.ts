import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/**
 * A KMS call failed. `awsErrorName` is the AWS exception name when KMS answered (e.g. `AccessDeniedException`,
 * `InvalidCiphertextException`, `ValidationException`), or undefined for a transport/TLS failure. Access denials
 * carry code `KMS_ACCESS_DENIED`, everything else `KMS_ERROR`. The message names the operation and the AWS
 * error, never the request's key material.
 */
export class KmsError extends BaseError {
  override readonly name = "Kms.KmsError";
  readonly awsErrorName: string | undefined;

  constructor(operation: string, awsErrorName: string | undefined, options: { cause?: unknown; details?: string } = {}) {
    super(
      awsErrorName === "AccessDeniedException" ? ErrorCode.kmsAccessDenied : ErrorCode.kms,
      `KMS ${operation} failed${awsErrorName ? `: ${awsErrorName}` : ""}`,
      { ...options, data: { operation, ...(awsErrorName ? { awsErrorName } : {}) } },
    );
    this.awsErrorName = awsErrorName;
  }

  /** Wraps whatever the SDK threw; SDK service exceptions carry `name` and `$fault`. */
  static from(operation: string, cause: unknown): KmsError {
    if (cause instanceof KmsError) return cause;
    const e = cause as { name?: unknown; $fault?: unknown; message?: unknown } | undefined;
    const isService = typeof e?.name === "string" && (e.$fault === "client" || e.$fault === "server");
    return new KmsError(operation, isService ? (e!.name as string) : undefined, {
      cause,
      ...(typeof e?.message === "string" ? { details: e.message } : {}),
    });
  }
}
