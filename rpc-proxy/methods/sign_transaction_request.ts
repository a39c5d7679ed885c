import type { Hex } from "../../signer/mod.ts";
import { prepareTransactionRequest, type PreparedTransaction } from "./prepare_transaction_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * `eth_signTransaction`: prepares the partial transaction and returns the raw signed transaction; with blob
 * sidecars, in the network form that eth_sendRawTransaction takes. A missing nonce is the node's pending count
 * or, when this proxy's eth_sendTransaction calls for the account are still on their way to the node, the one
 * past theirs; it is not reserved (nothing is broadcast), as on geth.
 *
 * @example
 * ```ts
 * const raw = await signTransactionRequest([{ from, to, value: "0x1" }], context, scope);
 * ```
 */
export async function signTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { from, transaction, wrap } = await signableTransaction(params, context, scope);
  return wrap(await context.signTransaction(from, transaction));
}

/**
 * The transaction eth_signTransaction signs (prepared, fees and nonce filled): also what `signer_checkPolicy`
 * checks for eth_sendTransaction, whose sender fills the same fields just before signing.
 */
export async function signableTransaction(params: unknown[], context: RpcContext, scope: RpcScope): Promise<PreparedTransaction> {
  const prepared = await prepareTransactionRequest(params, context, scope, { fees: true });
  const { from, transaction } = prepared;
  if (transaction.nonce === undefined) {
    const pending = Number(await context.upstream.request<Hex>("eth_getTransactionCount", [from, "pending"]));
    transaction.nonce = `0x${Math.max(pending, context.sender.nextNonce(from, transaction.chainId!) ?? 0).toString(16)}`;
  }
  return prepared;
}
