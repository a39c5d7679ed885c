import { concatHex, fromRlp, toRlp, type Hex } from "viem";
import type { BlobSidecars } from "./take_blob_sidecars.ts";

/**
 * Turns a signed EIP-4844 transaction into its network form for `eth_sendRawTransaction`:
 * `0x03 ‖ rlp([tx_payload_body, blobs, commitments, proofs])` (EIP-4844 §"Networking"). The signed payload
 * body is carried over byte for byte (decoded and re-encoded as the same RLP list), so the transaction hash is
 * unchanged; the sidecars are not covered by the signature, only their versioned hashes are.
 *
 * @example
 * ```ts
 * const wrapped = attachBlobSidecars(raw, { blobs, commitments, proofs });
 * ```
 */
export function attachBlobSidecars(raw: Hex, sidecars: BlobSidecars): Hex {
  if (!raw.startsWith("0x03")) throw new TypeError("Cannot attach blob sidecars: not an EIP-4844 transaction");
  const body = fromRlp(`0x${raw.slice(4)}`, "hex");
  if (!Array.isArray(body)) throw new TypeError("Cannot attach blob sidecars: the payload is not an RLP list");
  return concatHex(["0x03", toRlp([body, sidecars.blobs, sidecars.commitments, sidecars.proofs])]);
}
