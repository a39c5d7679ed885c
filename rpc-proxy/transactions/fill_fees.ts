import type { Hex, TransactionParams } from "../../signer/protocol/messages.ts";
import { RpcCode, RpcError, UpstreamRpcError } from "../jsonrpc/rpc_error.ts";
import type { Upstream } from "../upstream/create_upstream.ts";

export type LatestBlock = { baseFeePerGas?: Hex } | null;

export type FillFeesReturnType = Pick<TransactionParams, "gasPrice" | "maxFeePerGas" | "maxPriorityFeePerGas" | "maxFeePerBlobGas">;

/**
 * The fee fields a transaction of known `type` lacks, from the node: gasPrice from eth_gasPrice (types 0x0,
 * 0x1); for the others the tip from eth_maxPriorityFeePerGas (or, on a node without it, the gas price above
 * the base fee) and maxFeePerGas = 2 × latest base fee + tip (capped tip when only maxFeePerGas is given);
 * for blob transactions maxFeePerBlobGas = 2 × eth_blobBaseFee. Fees the caller gave are returned unchanged.
 *
 * @example
 * ```ts
 * const fees = await fillFees({ type: "0x2", to, value: "0x1" }, { upstream });
 * ```
 */
export async function fillFees(
  tx: TransactionParams,
  context: { upstream: Upstream; latestBlock?: () => Promise<LatestBlock> },
): Promise<FillFeesReturnType> {
  const { upstream } = context;
  const latestBlock = context.latestBlock ?? (() => upstream.request<LatestBlock>("eth_getBlockByNumber", ["latest", false]));
  const type = tx.type ?? "0x2";
  const [fees, blobFee] = await Promise.all([
    type === "0x0" || type === "0x1" ? legacyFees(tx, upstream) : eip1559Fees(tx, upstream, latestBlock),
    type === "0x3" && tx.maxFeePerBlobGas === undefined ? blobFeeCap(upstream) : tx.maxFeePerBlobGas,
  ]);
  return blobFee === undefined ? fees : { ...fees, maxFeePerBlobGas: blobFee };
}

async function legacyFees(tx: TransactionParams, upstream: Upstream): Promise<FillFeesReturnType> {
  return { gasPrice: tx.gasPrice ?? (await upstream.request<Hex>("eth_gasPrice")) };
}

async function eip1559Fees(tx: TransactionParams, upstream: Upstream, latestBlock: () => Promise<LatestBlock>): Promise<FillFeesReturnType> {
  if (tx.maxFeePerGas !== undefined && tx.maxPriorityFeePerGas !== undefined) {
    return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas };
  }
  const block = await latestBlock();
  if (!block?.baseFeePerGas) throw invalid("the chain has no base fee; give gasPrice or type 0x0");
  const baseFee = BigInt(block.baseFeePerGas);
  const suggested = tx.maxPriorityFeePerGas === undefined ? await priorityFee(upstream, baseFee) : quantity(tx.maxPriorityFeePerGas, "maxPriorityFeePerGas");
  if (tx.maxFeePerGas !== undefined) {
    // maxFeePerGas given: the tip may not exceed it.
    const cap = quantity(tx.maxFeePerGas, "maxFeePerGas");
    return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: hex(suggested > cap ? cap : suggested) };
  }
  // Like ethers and viem: twice the latest base fee plus the tip survives several full blocks of increases.
  return { maxFeePerGas: hex(2n * baseFee + suggested), maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? hex(suggested) };
}

/** eth_maxPriorityFeePerGas, or on a node without it the gas price above the base fee (what geth suggests). */
async function priorityFee(upstream: Upstream, baseFee: bigint): Promise<bigint> {
  try {
    return BigInt(await upstream.request<Hex>("eth_maxPriorityFeePerGas"));
  } catch (error) {
    if (!(error instanceof UpstreamRpcError) || error.error.code !== RpcCode.methodNotFound) throw error;
    const gasPrice = BigInt(await upstream.request<Hex>("eth_gasPrice"));
    return gasPrice > baseFee ? gasPrice - baseFee : 0n;
  }
}

/** EIP-4844: twice the current blob base fee, by the same reasoning as the execution fee. */
async function blobFeeCap(upstream: Upstream): Promise<Hex> {
  const blobBaseFee = BigInt(await upstream.request<Hex>("eth_blobBaseFee"));
  return hex(2n * (blobBaseFee > 0n ? blobBaseFee : 1n));
}

function quantity(value: unknown, field: string): bigint {
  if (typeof value === "string" && /^0x[0-9a-fA-F]{1,64}$/.test(value)) return BigInt(value);
  throw invalid(`${field} must be a hex quantity`);
}

function hex(value: bigint): Hex {
  return `0x${value.toString(16)}`;
}

function invalid(reason: string): RpcError {
  return new RpcError(RpcCode.invalidParams, `Invalid params: ${reason}`);
}
