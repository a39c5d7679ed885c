import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/** A key could not be loaded, imported or made: the reason says which step, never the key. */
export class KeyOperationError extends BaseError {
  override readonly name = "Signer.KeyOperationError";
  constructor(code: typeof ErrorCode.invalidParams | typeof ErrorCode.kms | typeof ErrorCode.internal, message: string, options: { cause?: unknown } = {}) {
    super(code, message, options);
  }
}

/**
 * A key record was refused because it does not verify (DESIGN §10): its address and governance are not the ones
 * sealed with the key (KMS authenticates them as the EncryptionContext), or they differ from the governance the
 * signer already holds the key with. The key is not served from that record.
 */
export class KeyRecordRefusedError extends BaseError {
  override readonly name = "Signer.KeyRecordRefusedError";
  constructor(address: string, reason: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.keyRecordRefused, `Cannot load key ${address}: the record's governance does not verify (${reason})`, {
      ...options,
      data: { address },
    });
  }
}
