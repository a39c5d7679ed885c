import { numberToHex } from "viem";
import { hashAuthorization } from "viem/utils";
import type { AuthorizationParams, Hex } from "../protocol/messages.ts";
import type { SignOptions } from "./curve.ts";
import { signDigest } from "./sign_digest.ts";

/** What an EIP-7702 authority signs: the chain (0 = every chain), the delegate's address and the authority's nonce. */
export type AuthorizationRequest = { chainId: number; address: Hex; nonce: number };

export type SignAuthorizationReturnType = AuthorizationParams;

/**
 * Signs an EIP-7702 authorization: the digest is `keccak256(0x05 ‖ rlp([chain_id, address, nonce]))`
 * (EIP-7702 §"Behavior", MAGIC = 0x05), computed by viem's `hashAuthorization`. Returns the signed tuple in
 * JSON-RPC form (hex quantities, r and s as 32-byte hex), ready for a transaction's `authorizationList`.
 * Pure: key and authorization in, signed authorization out.
 *
 * @example
 * ```ts
 * const signed = signAuthorization(privateKey, { chainId: 1, address: delegate, nonce: 0 });
 * ```
 */
export function signAuthorization(privateKey: Uint8Array, authorization: AuthorizationRequest, options: SignOptions = {}): SignAuthorizationReturnType {
  const { chainId, address, nonce } = authorization;
  if (!Number.isSafeInteger(chainId) || chainId < 0) throw new RangeError(`Cannot sign authorization: chainId ${chainId}`);
  if (!Number.isSafeInteger(nonce) || nonce < 0) throw new RangeError(`Cannot sign authorization: nonce ${nonce}`);
  const digest = hashAuthorization({ chainId, address, nonce, to: "bytes" });
  const { r, s, yParity } = signDigest(privateKey, digest, options);
  return { chainId: numberToHex(chainId), address, nonce: numberToHex(nonce), yParity: numberToHex(yParity), r, s };
}
