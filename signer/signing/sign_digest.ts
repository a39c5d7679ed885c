import { bytesToHex } from "viem";
import type { Hex } from "../protocol/messages.ts";
import type { SignOptions } from "./curve.ts";
import { signDigestBytes, type SignatureBytes } from "./sign_digest_bytes.ts";

export type Signature = { r: Hex; s: Hex; yParity: 0 | 1 };

/**
 * Signs a 32-byte digest with secp256k1: deterministic nonces (RFC 6979), low-s (EIP-2), so the result is
 * byte-identical to viem's `sign`. The curve is the caller's choice (`options.curve`, see `curve.ts`): the
 * enclave signs with the native libsecp256k1 (`openNativeCurveDeno`, constant-time C), everything else
 * defaults to the same library compiled to WebAssembly (`wasmCurve`). Every signing function passes its
 * options down to here or to `signDigestBytes` (this without the hex), the one place a curve is called.
 *
 * @example
 * ```ts
 * const { r, s, yParity } = signDigest(privateKey, keccak256(message, "bytes"), { curve });
 * ```
 */
export function signDigest(privateKey: Uint8Array, digest: Uint8Array, options: SignOptions = {}): Signature {
  return signatureToHex(signDigestBytes(privateKey, digest, options));
}

/**
 * `signDigestBytes`' result as `signDigest` gives it: r and s as 32-byte hex.
 *
 * @example
 * ```ts
 * const { r, s, yParity } = signatureToHex(signDigestBytes(privateKey, digest));
 * ```
 */
export function signatureToHex({ signature, yParity }: SignatureBytes): Signature {
  return { r: bytesToHex(signature.subarray(0, 32)), s: bytesToHex(signature.subarray(32, 64)), yParity };
}
