import type { Hex, TransactionParams } from "../../signer/protocol/messages.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { Upstream } from "../upstream/create_upstream.ts";

/** A transaction request as clients send it to eth_sendTransaction / eth_signTransaction. */
export type TransactionRequest = TransactionParams & { from: Hex };

/**
 * Fills what a partial transaction lacks, as nodes do (DESIGN §7): chainId from the node, type from the
 * fields given (else EIP-1559 when the chain has a base fee), fees from the node, gas from eth_estimateGas
 * with the caller's own fields. A field the caller gave is never changed; the nonce is left to the caller
 * (the nonce manager), so it is taken as late as possible.
 *
 * @example
 * ```ts
 * const tx = await fillTransaction(request, { upstream, chainId: "0x7a69" });
 * ```
 */
export async function fillTransaction(
  request: TransactionRequest,
  context: { upstream: Upstream; chainId: Hex },
): Promise<TransactionParams> {
  const { upstream, chainId } = context;
  const { from: _from, ...tx } = request;
  if (tx.data !== undefined && tx.input !== undefined && tx.data.toLowerCase() !== tx.input.toLowerCase()) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: data and input are both given and differ");
  }
  const data = tx.input ?? tx.data;
  delete tx.input;
  if (data !== undefined) tx.data = data;
  if (tx.chainId !== undefined && BigInt(tx.chainId) !== BigInt(chainId)) {
    throw new RpcError(RpcCode.invalidParams, `Invalid params: chainId ${tx.chainId} does not match the node's chain ${chainId}`);
  }
  tx.chainId ??= chainId;

  const type = tx.type ?? (await inferType(tx, upstream));
  tx.type = type;
  const [gas, fees] = await Promise.all([
    tx.gas ?? estimateGas(request, upstream),
    type === "0x0" || type === "0x1" ? legacyFees(tx, upstream) : eip1559Fees(tx, upstream),
  ]);
  return { ...tx, ...fees, gas };
}

async function inferType(tx: TransactionParams, upstream: Upstream): Promise<Hex> {
  if (tx.authorizationList !== undefined) return "0x4";
  if (tx.blobVersionedHashes !== undefined) return "0x3";
  if (tx.maxFeePerGas !== undefined || tx.maxPriorityFeePerGas !== undefined) return "0x2";
  if (tx.gasPrice !== undefined) return tx.accessList !== undefined ? "0x1" : "0x0";
  const block = await upstream.request<{ baseFeePerGas?: Hex } | null>("eth_getBlockByNumber", ["latest", false]);
  return block?.baseFeePerGas !== undefined ? "0x2" : "0x0";
}

async function legacyFees(tx: TransactionParams, upstream: Upstream): Promise<Pick<TransactionParams, "gasPrice">> {
  return { gasPrice: tx.gasPrice ?? (await upstream.request<Hex>("eth_gasPrice")) };
}

async function eip1559Fees(tx: TransactionParams, upstream: Upstream): Promise<Pick<TransactionParams, "maxFeePerGas" | "maxPriorityFeePerGas">> {
  if (tx.maxFeePerGas !== undefined && tx.maxPriorityFeePerGas !== undefined) {
    return { maxFeePerGas: tx.maxFeePerGas, maxPriorityFeePerGas: tx.maxPriorityFeePerGas };
  }
  const [priority, block] = await Promise.all([
    tx.maxPriorityFeePerGas ?? upstream.request<Hex>("eth_maxPriorityFeePerGas"),
    tx.maxFeePerGas ?? upstream.request<{ baseFeePerGas?: Hex } | null>("eth_getBlockByNumber", ["latest", false]),
  ]);
  if (typeof block === "string") {
    // maxFeePerGas given: the priority fee may not exceed it.
    const capped = BigInt(priority) > BigInt(block) ? block : priority;
    return { maxFeePerGas: block, maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? capped };
  }
  if (!block?.baseFeePerGas) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: the chain has no base fee; give gasPrice or type 0x0");
  }
  // Like ethers: twice the latest base fee plus the tip survives several full blocks of base-fee increases.
  const maxFee = 2n * BigInt(block.baseFeePerGas) + BigInt(priority);
  return { maxFeePerGas: `0x${maxFee.toString(16)}`, maxPriorityFeePerGas: priority };
}

async function estimateGas(request: TransactionRequest, upstream: Upstream): Promise<Hex> {
  const { nonce: _nonce, gas: _gas, ...call } = request;
  return upstream.request<Hex>("eth_estimateGas", [call]);
}
