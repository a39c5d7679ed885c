import type { Hex } from "../../signer/protocol/messages.ts";
import { fillTransaction } from "../transactions/fill_transaction.ts";
import { parseTransactionRequest } from "./parse_transaction_request.ts";
import type { RpcContext } from "./rpc_context.ts";

/**
 * `eth_signTransaction`: fills the partial transaction (the nonce from the node's pending count, without
 * reserving it, since nothing is broadcast) and returns the raw signed transaction.
 *
 * @example
 * ```ts
 * const raw = await signTransactionRequest([{ from, to, value: "0x1" }], context);
 * ```
 */
export async function signTransactionRequest(params: unknown[], context: RpcContext): Promise<Hex> {
  const request = await parseTransactionRequest(params, context);
  const filled = await fillTransaction(request, { upstream: context.upstream, chainId: await context.chainId() });
  filled.nonce ??= await context.upstream.request<Hex>("eth_getTransactionCount", [request.from, "pending"]);
  const { raw } = await context.signer.request("sign.transaction", { address: request.from, transaction: filled });
  return raw;
}
