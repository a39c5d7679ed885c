import { hexToBytes, serializeSignature, type TypedDataDefinition } from "viem";
import type { Hex } from "../protocol/messages.ts";
import type { SignOptions } from "./curve.ts";
import { signDigest } from "./sign_digest.ts";
import { typedDataDigest } from "./typed_data_digest.ts";

export type SignTypedDataReturnType = Hex;

/**
 * Signs EIP-712 typed data: the digest is `keccak256("\x19\x01" ‖ domainSeparator ‖ hashStruct(message))`
 * (EIP-712 §"Specification of the eth_signTypedData JSON RPC"), computed by viem's `hashTypedData`, which also
 * checks values against their types (addresses, byte lengths, integer ranges). Typed data that cannot be
 * hashed is refused with InvalidParamsError before the key is touched. Returns the 65-byte signature
 * `r ‖ s ‖ v`. Pure: key and typed data in, signature out (policy checks such as the domain's chain id are
 * the caller's, see `parseTypedData`).
 *
 * @example
 * ```ts
 * const signature = signTypedData(privateKey, parseTypedData(json));
 * ```
 */
export function signTypedData(privateKey: Uint8Array, typedData: TypedDataDefinition, options: SignOptions = {}): SignTypedDataReturnType {
  return serializeSignature(signDigest(privateKey, hexToBytes(typedDataDigest(typedData)), options));
}
