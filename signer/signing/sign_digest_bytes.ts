import type { SignOptions } from "./curve.ts";
import { wasmCurve } from "./wasm_curve.ts";

export type SignatureBytes = {
  /** r ‖ s, 64 bytes (s low, EIP-2). */
  signature: Uint8Array;
  yParity: 0 | 1;
};

/**
 * `signDigest` without the hex: the curve's 64 bytes r ‖ s and the recovery id, for a caller that goes on in bytes
 * (signTransaction writes r and s straight into the RLP, issue 19: the hex round trip cost ≈2 µs a signature).
 * The same checks and the same curve choice as `signDigest`, which is this and then hex; so this is the one
 * place a curve is called.
 *
 * @example
 * ```ts
 * const { signature, yParity } = signDigestBytes(privateKey, keccak256(message, "bytes"), { curve });
 * ```
 */
export function signDigestBytes(privateKey: Uint8Array, digest: Uint8Array, options: SignOptions = {}): SignatureBytes {
  if (digest.length !== 32) throw new RangeError(`Cannot sign digest: length ${digest.length}, expected 32`);
  if (privateKey.length !== 32) throw new RangeError(`Cannot sign digest: key length ${privateKey.length}, expected 32`);
  const { signature, recoveryId } = (options.curve ?? wasmCurve).signRecoverable(digest, privateKey);
  // Recovery ids 2 and 3 (r ≥ n) occur with probability ~2^-127 and have no Ethereum encoding.
  if (recoveryId > 1) throw new RangeError("Cannot sign digest: recovery id above 1");
  return { signature, yParity: recoveryId as 0 | 1 };
}
