import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/**
 * The verification step that rejected an attestation document, in the order they run (DESIGN §5):
 * `size` and `cbor` (bounds and decoding), `cose-structure` (RFC 8152 §4.2 COSE_Sign1 shape and ES384 header),
 * `payload-fields` (the AWS field list and types), `root` (no pinned root issued the chain),
 * `cabundle-root` (the root copy in `cabundle` differs from the pinned root), `chain-signature`
 * (names or signatures along the chain), `validity` (a certificate is not valid at the verification time),
 * `constraints` (basicConstraints, pathLen, keyUsage, unknown critical extensions), `cose-signature`, then the
 * caller's expectations: `pcr`, `nonce`, `user-data`, `max-age`.
 */
export type AttestationCheck =
  | "size"
  | "cbor"
  | "cose-structure"
  | "payload-fields"
  | "root"
  | "cabundle-root"
  | "chain-signature"
  | "validity"
  | "constraints"
  | "cose-signature"
  | "pcr"
  | "nonce"
  | "user-data"
  | "max-age";

/**
 * Thrown by `verifyAttestationDocument()` when a document is rejected. `check` names the failed step and
 * `reason` says what was wrong; neither ever contains secret material (documents carry none).
 *
 * @example
 * ```ts
 * try {
 *   await verifyAttestationDocument(document, { expect: { nonce } });
 * } catch (error) {
 *   if (error instanceof AttestationError && error.check === "nonce") console.log("stale document");
 * }
 * ```
 */
export class AttestationError extends BaseError {
  override readonly name = "Attestation.AttestationError";
  readonly check: AttestationCheck;
  readonly reason: string;

  constructor(check: AttestationCheck, reason: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.attestation, `Attestation document rejected: ${check}: ${reason}`, {
      ...options,
      data: { check },
    });
    this.check = check;
    this.reason = reason;
  }
}
