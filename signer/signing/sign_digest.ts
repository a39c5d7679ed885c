import { signRecoverable } from "tiny-secp256k1";
import { bytesToHex } from "viem";
import type { Hex } from "../protocol/messages.ts";

export type Signature = { r: Hex; s: Hex; yParity: 0 | 1 };

/**
 * Signs a 32-byte digest with secp256k1: deterministic nonces (RFC 6979), low-s (EIP-2), so the result is
 * byte-identical to viem's `sign`. The one place the curve implementation is chosen: libsecp256k1 compiled to
 * WebAssembly (`tiny-secp256k1`), which signs about twice as fast as the pure-JS curve (@noble/curves) under
 * Deno (README, Performance; `npm run bench`) and produces the same bytes (test/signer/signing/sign_digest.test.ts).
 * The library copies the key into its own memory for the call and zeroes it afterwards. Like any JavaScript
 * or WebAssembly code, it makes no hard constant-time guarantee at the level of the engine.
 *
 * @example
 * ```ts
 * const { r, s, yParity } = signDigest(privateKey, keccak256(message, "bytes"));
 * ```
 */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array): Signature {
  if (digest.length !== 32) throw new RangeError(`Cannot sign digest: length ${digest.length}, expected 32`);
  const { signature, recoveryId } = signRecoverable(digest, privateKey);
  // Recovery ids 2 and 3 (r ≥ n) occur with probability ~2^-127 and have no Ethereum encoding.
  if (recoveryId > 1) throw new RangeError("Cannot sign digest: recovery id above 1");
  return { r: bytesToHex(signature.subarray(0, 32)), s: bytesToHex(signature.subarray(32, 64)), yParity: recoveryId as 0 | 1 };
}
