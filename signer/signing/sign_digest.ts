import { bytesToHex } from "viem";
import type { Hex } from "../protocol/messages.ts";
import type { SignOptions } from "./curve.ts";
import { wasmCurve } from "./wasm_curve.ts";

export type Signature = { r: Hex; s: Hex; yParity: 0 | 1 };

/**
 * Signs a 32-byte digest with secp256k1: deterministic nonces (RFC 6979), low-s (EIP-2), so the result is
 * byte-identical to viem's `sign`. The curve is the caller's choice (`options.curve`, see `curve.ts`): the
 * enclave signs with the native libsecp256k1 (`openNativeCurveDeno`, constant-time C), everything else
 * defaults to the same library compiled to WebAssembly (`wasmCurve`). Every signing function passes its
 * options down to here, so this is the one place a curve is called.
 *
 * @example
 * ```ts
 * const { r, s, yParity } = signDigest(privateKey, keccak256(message, "bytes"), { curve });
 * ```
 */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array, options: SignOptions = {}): Signature {
  if (digest.length !== 32) throw new RangeError(`Cannot sign digest: length ${digest.length}, expected 32`);
  if (privateKey.length !== 32) throw new RangeError(`Cannot sign digest: key length ${privateKey.length}, expected 32`);
  const { signature, recoveryId } = (options.curve ?? wasmCurve).signRecoverable(digest, privateKey);
  // Recovery ids 2 and 3 (r ≥ n) occur with probability ~2^-127 and have no Ethereum encoding.
  if (recoveryId > 1) throw new RangeError("Cannot sign digest: recovery id above 1");
  return { r: bytesToHex(signature.subarray(0, 32)), s: bytesToHex(signature.subarray(32, 64)), yParity: recoveryId as 0 | 1 };
}
