import { type Hex, parseQuantity, type TransactionParams } from "../../signer/mod.ts";
import { invalidParams } from "../jsonrpc/rpc_error.ts";
import type { Upstream } from "../upstream/create_upstream.ts";
import { fillFees, type LatestBlock } from "./fill_fees.ts";

/**
 * A transaction request as clients send it to eth_sendTransaction / eth_signTransaction; `blobs`,
 * `commitments` and `proofs` are EIP-4844 sidecars (see `takeBlobSidecars`).
 */
export type TransactionRequest = TransactionParams & { from: Hex; blobs?: Hex[]; commitments?: Hex[]; proofs?: Hex[] };

/**
 * Fills what a partial transaction lacks, as nodes do (DESIGN §7): chainId from the node (a given one must
 * match it), the type from the fields given (else EIP-1559 when the chain has a base fee, `hasBaseFee`, by
 * default from the latest block; legacy when not), gas from eth_estimateGas against the latest block with the
 * caller's own fields (or `estimateGas`, e.g. `createGasEstimator`, which skips it for plain transfers), and the fees (`fillFees`). A field the caller gave is never changed; `input` and `data`
 * are both accepted (equal when both are given). The nonce is left to the caller (the transaction sender), so
 * it is taken as late as possible; with `fees: false` so are the fees, for a sender that reads them just
 * before signing. Blob sidecars must have been taken off the request first.
 *
 * @example
 * ```ts
 * const tx = await fillTransaction(request, { upstream, chainId: "0x7a69" });
 * ```
 */
export async function fillTransaction(
  request: TransactionRequest,
  context: {
    upstream: Upstream;
    chainId: Hex;
    fees?: boolean;
    hasBaseFee?: () => Promise<boolean>;
    /** Gas for a request without it. @default eth_estimateGas against the latest block (see `createGasEstimator`) */
    estimateGas?: (request: TransactionRequest) => Promise<Hex>;
  },
): Promise<TransactionParams> {
  const { upstream, chainId } = context;
  const { from: _from, blobs: _b, commitments: _c, proofs: _p, ...tx } = request;
  if (tx.data !== undefined && tx.input !== undefined && String(tx.data).toLowerCase() !== String(tx.input).toLowerCase()) {
    throw invalidParams("data and input are both given and differ");
  }
  if (tx.chainId !== undefined && parseQuantity(tx.chainId, "chainId") !== BigInt(chainId)) {
    throw invalidParams(`chainId ${tx.chainId} does not match the node's chain ${chainId}`);
  }
  tx.chainId ??= chainId;

  let block: Promise<LatestBlock> | undefined;
  const latestBlock = () => (block ??= upstream.request<LatestBlock>("eth_getBlockByNumber", ["latest", false]));
  const hasBaseFee = context.hasBaseFee ?? (async () => (await latestBlock())?.baseFeePerGas !== undefined);
  tx.type = tx.type === undefined ? await inferType(tx, hasBaseFee) : normalizeType(tx.type);
  const [gas, fees] = await Promise.all([
    tx.gas ?? (context.estimateGas ? context.estimateGas(request) : estimateGas(request, upstream)),
    context.fees === false ? {} : fillFees(tx, { upstream, latestBlock }),
  ]);
  return { ...tx, ...fees, gas };
}

async function inferType(tx: TransactionParams, hasBaseFee: () => Promise<boolean>): Promise<Hex> {
  if (tx.authorizationList !== undefined) return "0x4";
  if (tx.blobVersionedHashes !== undefined) return "0x3";
  if (tx.maxFeePerGas !== undefined || tx.maxPriorityFeePerGas !== undefined) return "0x2";
  if (tx.gasPrice !== undefined) return tx.accessList !== undefined ? "0x1" : "0x0";
  return (await hasBaseFee()) ? "0x2" : tx.accessList !== undefined ? "0x1" : "0x0";
}

function normalizeType(type: unknown): Hex {
  if (typeof type !== "string" || !/^0x[0-9a-fA-F]{1,2}$/.test(type)) throw invalidParams(`type ${JSON.stringify(type)} is not a hex quantity`);
  return `0x${Number(type).toString(16)}`;
}

async function estimateGas(request: TransactionRequest, upstream: Upstream): Promise<Hex> {
  const { nonce: _nonce, gas: _gas, blobs: _b, commitments: _c, proofs: _p, ...call } = request;
  // Against the latest block, as geth estimates by default (Anvil's default, the pending block, costs it far more).
  return upstream.request<Hex>("eth_estimateGas", [call, "latest"]);
}

