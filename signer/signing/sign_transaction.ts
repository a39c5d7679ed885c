import { keccak256, serializeTransaction, type TransactionSerializable } from "viem";
import type { Hex } from "../protocol/messages.ts";
import type { SignOptions } from "./curve.ts";
import { signDigest } from "./sign_digest.ts";

export type SignTransactionReturnType = { raw: Hex; hash: Hex };

/**
 * Signs a complete transaction (see `parseTransaction`) and returns the raw signed transaction and its hash.
 * `options.curve` picks the secp256k1 implementation (see `signDigest`). Legacy transactions get EIP-155 `v = chainId * 2 + 35 + yParity` from viem's serializer.
 *
 * @example
 * ```ts
 * const { raw, hash } = signTransaction(privateKey, parseTransaction(params));
 * ```
 */
export function signTransaction(privateKey: Uint8Array, transaction: TransactionSerializable, options: SignOptions = {}): SignTransactionReturnType {
  const digest = keccak256(serializeTransaction(transaction), "bytes");
  const { r, s, yParity } = signDigest(privateKey, digest, options);
  const raw = serializeTransaction(transaction, { r, s, yParity, v: yParity ? 28n : 27n });
  return { raw, hash: keccak256(raw) };
}
