import { hashMessage, serializeSignature } from "viem";
import type { Hex } from "../protocol/messages.ts";
import type { SignOptions } from "./curve.ts";
import { signDigest } from "./sign_digest.ts";

export type SignMessageReturnType = Hex;

/**
 * Signs an EIP-191 version 0x45 ("personal") message: the digest is
 * `keccak256("\x19Ethereum Signed Message:\n" + len(message) + message)` (EIP-191 §"Version 0x45"), the same
 * as `personal_sign`, `eth_sign` and viem's `signMessage({ message: { raw } })`. Returns the 65-byte
 * signature `r ‖ s ‖ v` with `v` = 27 + yParity. Pure: key and message in, signature out.
 *
 * @example
 * ```ts
 * const signature = signMessage(privateKey, new TextEncoder().encode("hello"));
 * ```
 */
export function signMessage(privateKey: Uint8Array, message: Uint8Array, options: SignOptions = {}): SignMessageReturnType {
  if (!(message instanceof Uint8Array)) throw new TypeError("Cannot sign message: expected a Uint8Array");
  const digest = hashMessage({ raw: message }, "bytes");
  return serializeSignature(signDigest(privateKey, digest, options));
}
