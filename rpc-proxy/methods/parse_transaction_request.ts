import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { TransactionRequest } from "../transactions/fill_transaction.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * Checks the first param of eth_sendTransaction / eth_signTransaction: an object whose `from` the signer holds
 * and the caller may use (else EIP-1193 4100, never passed through to the node). Null fields count as absent
 * (`to: null` stays: contract creation).
 *
 * @example
 * ```ts
 * const request = await parseTransactionRequest(params, context, scope);
 * ```
 */
export async function parseTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<TransactionRequest> {
  const tx = params[0];
  if (typeof tx !== "object" || tx === null || Array.isArray(tx)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [transaction]");
  }
  const from = (tx as { from?: unknown }).from;
  if (typeof from !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(from)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: transaction.from must be a 20-byte hex address");
  }
  const account = await context.account(from, scope);
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tx)) {
    if (value !== null || key === "to") request[key] = value;
  }
  return { ...(request as TransactionRequest), from: account };
}
