import { sha256, type Hex } from "viem";
import { invalidParams } from "../jsonrpc/rpc_error.ts";
import type { TransactionRequest } from "./fill_transaction.ts";

/** EIP-4844 network-form sidecars, one commitment and one proof per blob, as the caller gave them. */
export type BlobSidecars = { blobs: Hex[]; commitments: Hex[]; proofs: Hex[] };

/** EIP-4844 §"Parameters": FIELD_ELEMENTS_PER_BLOB × 32 bytes. */
const BLOB_BYTES = 4096 * 32;
/** A generous bound; the node enforces the chain's real per-transaction limit. */
const MAX_BLOBS = 16;

/**
 * Splits the blob sidecar fields (`blobs`, `commitments`, `proofs`, named as geth's and alloy's transaction
 * arguments name them) off a transaction request: the signer signs the transaction without them and the
 * broadcast carries them (`attachBlobSidecars`). The proxy computes no KZG commitments or proofs: they are
 * passed through as given, so all three must be given together. `blobVersionedHashes` is derived from the
 * commitments when absent (EIP-4844 `kzg_to_versioned_hash`) and must match them when given.
 *
 * @example
 * ```ts
 * const { request: tx, sidecars } = takeBlobSidecars(request);
 * ```
 */
export function takeBlobSidecars(request: TransactionRequest): { request: TransactionRequest; sidecars: BlobSidecars | undefined } {
  const { blobs, commitments, proofs, ...rest } = request;
  if (blobs === undefined && commitments === undefined && proofs === undefined) return { request: rest, sidecars: undefined };
  if (blobs === undefined || commitments === undefined || proofs === undefined) {
    throw invalidParams("give blobs, commitments and proofs together (the proxy does not compute KZG commitments or proofs)");
  }
  const b = hexList(blobs, "blobs", BLOB_BYTES);
  const c = hexList(commitments, "commitments", 48);
  const p = hexList(proofs, "proofs", 48);
  if (b.length === 0 || b.length > MAX_BLOBS) throw invalidParams(`blobs must hold 1 to ${MAX_BLOBS} blobs`);
  if (c.length !== b.length || p.length !== b.length) throw invalidParams("blobs, commitments and proofs must have the same length");
  const hashes = c.map((commitment) => `0x01${sha256(commitment).slice(4)}` as Hex);
  if (rest.blobVersionedHashes !== undefined) {
    const given = rest.blobVersionedHashes;
    if (!Array.isArray(given) || given.length !== hashes.length || given.some((h, i) => typeof h !== "string" || h.toLowerCase() !== hashes[i])) {
      throw invalidParams("blobVersionedHashes do not match the commitments");
    }
  }
  if (rest.type !== undefined && rest.type !== "0x3" && rest.type !== "0x03") throw invalidParams("blobs are only allowed in a type 0x3 transaction");
  return { request: { ...rest, blobVersionedHashes: rest.blobVersionedHashes ?? hashes }, sidecars: { blobs: b, commitments: c, proofs: p } };
}

function hexList(value: unknown, field: string, bytes: number): Hex[] {
  if (!Array.isArray(value)) throw invalidParams(`${field} must be an array of hex strings`);
  return value.map((item, i) => {
    if (typeof item !== "string" || item.length !== 2 + bytes * 2 || !/^0x[0-9a-fA-F]*$/.test(item)) {
      throw invalidParams(`${field}[${i}] must be ${bytes} bytes of hex`);
    }
    return item.toLowerCase() as Hex;
  });
}
