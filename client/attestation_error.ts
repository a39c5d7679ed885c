import { type AttestationCheck, BaseError } from "../signer/mod.ts";

/**
 * Why a client refused a signer, stable once released:
 * - `chain`: the document is malformed, or its certificate chain, root or COSE signature does not verify;
 * - `expired`: a certificate is not valid now, or the document's timestamp is more than `maxAgeMs` from now;
 * - `pcr`: a PCR differs from the expected value (another enclave image, kernel, application or role);
 * - `nonce`: the document does not carry the nonce this client sent (a replayed document);
 * - `accounts`: the accounts the proxy lists are not the ones the document binds, or a required one is missing;
 * - `policy`: an account is not governed by the expected policy;
 * - `signature`: a signature that came back does not recover to the account that was asked to sign;
 * - `transport`: the attestation could not be fetched (network, HTTP or JSON-RPC error, malformed answer).
 */
export type AttestationErrorCode = "chain" | "expired" | "pcr" | "nonce" | "accounts" | "policy" | "signature" | "transport";

/**
 * Thrown by `verifySigner()`, and by every signing request of `attestedTransport()` / `attestedProvider()` that
 * was refused, before anything was sent to the signer (or, for `signature`, when its answer was refused).
 * `code` names the cause; `check` is the verifier's failed step (DESIGN §5) when the document itself was refused,
 * and `cause` the underlying error. viem wraps errors of `sendTransaction` in a `TransactionExecutionError`:
 * find this one with `error.walk((e) => e instanceof AttestationError)`.
 *
 * @example
 * ```ts
 * try {
 *   await wallet.signMessage({ message: "hello" });
 * } catch (error) {
 *   const refused = error instanceof AttestationError ? error : error?.walk?.((e) => e instanceof AttestationError);
 *   if (refused?.code === "pcr") console.error("not the approved enclave image:", refused.shortMessage);
 * }
 * ```
 */
export class AttestationError extends BaseError {
  override readonly name = "Client.AttestationError";
  declare readonly code: AttestationErrorCode;
  /** The verifier's failed step when the document was refused (`root`, `validity`, `pcr`, `nonce`, …). */
  readonly check: AttestationCheck | undefined;

  constructor(code: AttestationErrorCode, shortMessage: string, options: { cause?: unknown; details?: string; check?: AttestationCheck } = {}) {
    const { check, ...rest } = options;
    super(code, `Signer not verified: ${code}: ${shortMessage}`, { ...rest, data: { code, ...(check ? { check } : {}) } });
    this.check = check;
  }
}
