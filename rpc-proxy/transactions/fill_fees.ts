import { numberToHex } from "viem";
import { type Hex, parseQuantity, type TransactionParams } from "../../signer/mod.ts";
import { invalidParams, RpcCode, UpstreamRpcError } from "../jsonrpc/rpc_error.ts";
import type { Upstream } from "../upstream/create_upstream.ts";

export type LatestBlock = { baseFeePerGas?: Hex } | null;

export type FillFeesReturnType = Pick<TransactionParams, "gasPrice" | "maxFeePerGas" | "maxPriorityFeePerGas" | "maxFeePerBlobGas">;

/** What the node said fees are, read once for any number of transactions (see `readFeeQuote`). */
export type FeeQuote = { baseFee?: bigint | null; tip?: bigint; gasPrice?: bigint; blobBaseFee?: bigint };

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
  return applyFeeQuote(tx, await readFeeQuote([tx], context));
}

/**
 * Reads from the node, concurrently, what `applyFeeQuote` needs for every one of `txs` (nothing when they all
 * carry their fees): one quote serves a whole group of sends.
 *
 * @example
 * ```ts
 * const quote = await readFeeQuote(group, { upstream });
 * const txs = group.map((tx) => ({ ...tx, ...applyFeeQuote(tx, quote) }));
 * ```
 */
export async function readFeeQuote(
  txs: readonly TransactionParams[],
  context: { upstream: Upstream; latestBlock?: () => Promise<LatestBlock>; maxPriorityFeePerGas?: () => Promise<Hex> },
): Promise<FeeQuote> {
  const { upstream } = context;
  const latestBlock = context.latestBlock ?? (() => upstream.request<LatestBlock>("eth_getBlockByNumber", ["latest", false]));
  const legacy = (tx: TransactionParams) => tx.type === "0x0" || tx.type === "0x1";
  const needGasPrice = txs.some((tx) => legacy(tx) && tx.gasPrice === undefined);
  const needBase = txs.some((tx) => !legacy(tx) && (tx.maxFeePerGas === undefined || tx.maxPriorityFeePerGas === undefined));
  const needTip = needBase && txs.some((tx) => !legacy(tx) && tx.maxPriorityFeePerGas === undefined);
  const needBlob = txs.some((tx) => tx.type === "0x3" && tx.maxFeePerBlobGas === undefined);
  const big = (value: Hex) => BigInt(value);
  const [gasPrice, baseFee, tip, blobBaseFee] = await Promise.all([
    needGasPrice ? upstream.request<Hex>("eth_gasPrice").then(big) : undefined,
    needBase ? latestBlock().then((block) => (block?.baseFeePerGas ? BigInt(block.baseFeePerGas) : null)) : undefined,
    needTip ? (context.maxPriorityFeePerGas?.() ?? upstream.request<Hex>("eth_maxPriorityFeePerGas")).then(big, (error) => noTipMethod(error)) : undefined,
    needBlob ? upstream.request<Hex>("eth_blobBaseFee").then(big) : undefined,
  ]);
  const quote: FeeQuote = {};
  if (gasPrice !== undefined) quote.gasPrice = gasPrice;
  if (baseFee !== undefined) quote.baseFee = baseFee;
  if (typeof tip === "bigint") quote.tip = tip;
  if (blobBaseFee !== undefined) quote.blobBaseFee = blobBaseFee;
  if (tip === null && baseFee) {
    // A node without eth_maxPriorityFeePerGas: the gas price above the base fee (what geth suggests).
    const price = gasPrice ?? BigInt(await upstream.request<Hex>("eth_gasPrice"));
    quote.tip = price > baseFee ? price - baseFee : 0n;
  }
  return quote;
}

function noTipMethod(error: unknown): null {
  if (error instanceof UpstreamRpcError && error.error.code === RpcCode.methodNotFound) return null;
  throw error;
}

/** The fee fields `tx` lacks, from `quote` (which `readFeeQuote` read for it); see `fillFees`. */
export function applyFeeQuote(tx: TransactionParams, quote: FeeQuote): FillFeesReturnType {
  const type = tx.type ?? "0x2";
  const fees: FillFeesReturnType = type === "0x0" || type === "0x1" ? { gasPrice: tx.gasPrice ?? numberToHex(quote.gasPrice!) } : eip1559Fees(tx, quote);
  if (type === "0x3") {
    // EIP-4844: twice the current blob base fee, by the same reasoning as the execution fee.
    fees.maxFeePerBlobGas = tx.maxFeePerBlobGas ?? numberToHex(2n * (quote.blobBaseFee! > 0n ? quote.blobBaseFee! : 1n));
  }
  return fees;
}

function eip1559Fees(tx: TransactionParams, quote: FeeQuote): FillFeesReturnType {
  if (tx.maxFeePerGas !== undefined && tx.maxPriorityFeePerGas !== undefined) {
    return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas };
  }
  if (!quote.baseFee) throw invalidParams("the chain has no base fee; give gasPrice or type 0x0");
  const suggested = tx.maxPriorityFeePerGas === undefined ? quote.tip! : quantity(tx.maxPriorityFeePerGas, "maxPriorityFeePerGas");
  if (tx.maxFeePerGas !== undefined) {
    // maxFeePerGas given: the tip may not exceed it.
    const cap = quantity(tx.maxFeePerGas, "maxFeePerGas");
    return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: numberToHex(suggested > cap ? cap : suggested) };
  }
  // Like ethers and viem: twice the latest base fee plus the tip survives several full blocks of increases.
  return { maxFeePerGas: numberToHex(2n * quote.baseFee + suggested), maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? numberToHex(suggested) };
}

const quantity = (value: unknown, field: string) => parseQuantity(value, field);

