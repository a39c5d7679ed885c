import { bytesToHex, fromRlp, hexToBytes, keccak256, numberToBytes, serializeTransaction, toRlp, type TransactionSerializable } from "viem";
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Hex } from "../protocol/messages.ts";
import type { SignOptions } from "./curve.ts";
import { signatureToHex } from "./sign_digest.ts";
import { signDigestBytes, type SignatureBytes } from "./sign_digest_bytes.ts";

export type SignTransactionReturnType = { raw: Hex; hash: Hex };

/**
 * Signs a complete transaction (see `parseTransaction`) and returns the raw signed transaction and its hash.
 * `options.curve` picks the secp256k1 implementation (see `signDigest`). Legacy transactions get EIP-155
 * `v = chainId * 2 + 35 + yParity`, as viem's serializer gives them.
 *
 * The transaction is serialized once, by viem's `serializeTransaction` (which also checks it); the signed
 * encoding is that list read back with viem's `fromRlp` and written again with the signature's fields by viem's
 * `toRlp`, all in bytes (r and s too, from `signDigestBytes`), so nothing is serialized twice and no field makes
 * a round trip through hex (issue 19: this was most of a signature's cost besides the curve). Both hashes are `@noble/hashes`'
 * `keccak_256` on the bytes (what viem's `keccak256` runs, without its hex conversions). The result is byte-identical to
 * `serializeTransaction(transaction, signature)` (test/signer/signing/sign_transaction_known_answers.test.ts).
 * A transaction viem would serialize differently when signed (blob sidecars, or signature fields of its own)
 * takes viem's second serialization instead.
 *
 * @example
 * ```ts
 * const { raw, hash } = signTransaction(privateKey, parseTransaction(params));
 * ```
 */
export function signTransaction(privateKey: Uint8Array, transaction: TransactionSerializable, options: SignOptions = {}): SignTransactionReturnType {
  const unsigned = toBytes(serializeTransaction(transaction));
  const signature = signDigestBytes(privateKey, keccak_256(unsigned), options);
  const signed = appendSignature(transaction, unsigned, signature);
  if (signed === undefined) {
    const raw = serializeTransaction(transaction, { ...signatureToHex(signature), v: signature.yParity ? 28n : 27n });
    return { raw, hash: keccak256(raw) };
  }
  return { raw: toHex(signed), hash: toHex(keccak_256(signed)) };
}

/**
 * The signed encoding of `unsigned` (viem's serialization of `transaction`), as viem's serializer would give it
 * with `signature`; undefined for a transaction it does not cover (then the caller serializes again).
 *
 * - Typed transactions (EIP-2718: the type byte, then an RLP list): the unsigned fields followed by
 *   `yParity` (0 as the empty string), `r` and `s` (leading zero bytes dropped), as viem's `toYParitySignatureArray`.
 * - Legacy: the six fields, then `v` (EIP-155 `chainId * 2 + 35 + yParity` when the transaction has a chain id,
 *   else `27 + yParity`), `r` and `s`, replacing the unsigned encoding's `chainId, 0, 0` (EIP-155).
 */
function appendSignature(transaction: TransactionSerializable, unsigned: Uint8Array, signature: SignatureBytes): Uint8Array | undefined {
  const t = transaction as Record<string, unknown>;
  // Signature fields on the transaction itself enter viem's unsigned encoding; sidecars (or blobs to make them
  // from) turn a blob transaction's encoding into a wrapper. Neither comes out of parseTransaction.
  if (t.r !== undefined || t.s !== undefined || t.v !== undefined || t.yParity !== undefined) return undefined;
  if (t.sidecars !== undefined || t.blobs !== undefined) return undefined;
  const r = trimmed(signature.signature.subarray(0, 32));
  const s = trimmed(signature.signature.subarray(32, 64));
  const typed = unsigned[0]! < 0x80; // EIP-2718: a typed transaction starts with its type (0x01…0x7f), a legacy one with a list (≥ 0xc0)
  if (typed) {
    const fields = fromRlp(unsigned.subarray(1), "bytes");
    if (!Array.isArray(fields)) return undefined;
    const payload = toRlp([...fields, signature.yParity ? ONE : EMPTY, r, s], "bytes");
    const out = new Uint8Array(1 + payload.length);
    out[0] = unsigned[0]!;
    out.set(payload, 1);
    return out;
  }
  const fields = fromRlp(unsigned, "bytes");
  if (!Array.isArray(fields)) return undefined;
  const chainId = transaction.chainId ?? 0;
  if (chainId > 0 && fields.length !== 9) return undefined;
  if (!(chainId > 0) && fields.length !== 6) return undefined;
  const v = chainId > 0 ? BigInt(chainId * 2) + 35n + BigInt(signature.yParity) : 27n + BigInt(signature.yParity);
  return toRlp([...fields.slice(0, 6), numberToBytes(v), r, s], "bytes");
}

const EMPTY = new Uint8Array(0);
const ONE = new Uint8Array([1]);

/** A 32-byte scalar as viem's serializer writes it: leading zero bytes dropped (`trim`), zero as the empty string. */
function trimmed(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * Hex ↔ bytes through the engine's own `Uint8Array.fromHex` / `toHex` (TC39, in Deno's V8) where there is
 * one, else viem's: the same bytes and the same lowercase hex, several times faster per call.
 */
const nativeHex = Uint8Array as unknown as { fromHex?: (hex: string) => Uint8Array };
const nativeToHex = (Uint8Array.prototype as unknown as { toHex?: () => string }).toHex;

function toBytes(hex: Hex): Uint8Array {
  // viem's serializer and signDigest always give even-length lowercase hex, which fromHex reads as viem does.
  return nativeHex.fromHex ? nativeHex.fromHex(hex.slice(2)) : hexToBytes(hex);
}

function toHex(bytes: Uint8Array): Hex {
  return nativeToHex ? `0x${nativeToHex.call(bytes)}` : bytesToHex(bytes);
}
