import type { Hex } from "../../signer/protocol/messages.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { TransactionRequest } from "../transactions/fill_transaction.ts";
import type { RpcContext } from "./rpc_context.ts";

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/**
 * Checks the first param of eth_sendTransaction / eth_signTransaction: an object with a `from` the signer
 * holds. An unknown `from` is EIP-1193 error 4100, never passed through to the node.
 *
 * @example
 * ```ts
 * const request = await parseTransactionRequest(params, context);
 * ```
 */
export async function parseTransactionRequest(params: unknown[], context: RpcContext): Promise<TransactionRequest> {
  const tx = params[0];
  if (typeof tx !== "object" || tx === null || Array.isArray(tx)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [transaction]");
  }
  const from = (tx as { from?: unknown }).from;
  if (typeof from !== "string" || !ADDRESS.test(from)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: transaction.from must be a 20-byte hex address");
  }
  const account = await context.findAccount(from);
  if (!account) throw new RpcError(RpcCode.unauthorized, `Unauthorized: the signer does not hold account ${from}`);
  for (const [key, value] of Object.entries(tx)) {
    if (value === null && key !== "to") delete (tx as Record<string, unknown>)[key];
  }
  return { ...(tx as TransactionRequest), from: account as Hex };
}
