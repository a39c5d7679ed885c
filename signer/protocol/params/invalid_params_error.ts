import { BaseError } from "../base_error.ts";
import { ErrorCode } from "../error_codes.ts";

/** Field paths are built from the caller's map keys (typed data), which may be up to a frame long. */
const MAX_FIELD_CHARS = 128;

/** A request parameter is missing, of the wrong type, or out of range; `field` names it (cut at 128 characters). */
export class InvalidParamsError extends BaseError {
  override readonly name = "Signer.InvalidParamsError";
  readonly field: string;
  constructor(field: string, message: string) {
    const shown = field.length > MAX_FIELD_CHARS ? `${field.slice(0, MAX_FIELD_CHARS)}…` : field;
    super(ErrorCode.invalidParams, `Invalid ${shown}: ${message}`, { data: { field: shown } });
    this.field = shown;
  }
}

