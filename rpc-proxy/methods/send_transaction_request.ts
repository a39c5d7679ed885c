import type { Hex } from "../../signer/mod.ts";
import { prepareTransactionRequest } from "./prepare_transaction_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * `eth_sendTransaction` (and `wallet_sendTransaction`): prepares the transaction (gas from eth_estimateGas here,
 * where sends run in parallel), then the sender reads the fees, gives it the account's next nonce (or keeps the
 * caller's), signs and broadcasts it with the account's other sends (`createTransactionSender`), and returns the
 * hash once the node holds the transaction.
 *
 * @example
 * ```ts
 * const hash = await sendTransactionRequest([{ from, to, value: "0x1" }], context, scope);
 * ```
 */
export async function sendTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { from, transaction, wrap } = await prepareTransactionRequest(params, context, scope, { fees: false });
  return context.sender.send(from, transaction, wrap);
}
