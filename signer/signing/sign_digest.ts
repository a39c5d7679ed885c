import { secp256k1 } from "@noble/curves/secp256k1";
import { numberToHex } from "viem";
import type { Hex } from "../protocol/messages.ts";

export type Signature = { r: Hex; s: Hex; yParity: 0 | 1 };

/**
 * Signs a 32-byte digest with secp256k1: deterministic nonces (RFC 6979), low-s (EIP-2), so the result is
 * byte-identical to viem's `sign`. The one place the curve implementation is chosen.
 *
 * @example
 * ```ts
 * const { r, s, yParity } = signDigest(privateKey, keccak256(message, "bytes"));
 * ```
 */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array): Signature {
  if (digest.length !== 32) throw new RangeError(`Cannot sign digest: length ${digest.length}, expected 32`);
  const { r, s, recovery } = secp256k1.sign(digest, privateKey, { lowS: true });
  return { r: numberToHex(r, { size: 32 }), s: numberToHex(s, { size: 32 }), yParity: recovery as 0 | 1 };
}
