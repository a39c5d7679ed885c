import type { Hex } from "../../signer/protocol/messages.ts";
import { attachBlobSidecars } from "../transactions/attach_blob_sidecars.ts";
import { fillTransaction } from "../transactions/fill_transaction.ts";
import { takeBlobSidecars } from "../transactions/take_blob_sidecars.ts";
import { parseTransactionRequest } from "./parse_transaction_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * `eth_signTransaction`: fills the partial transaction and returns the raw signed transaction; with blob
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
  const { request, sidecars } = takeBlobSidecars(await parseTransactionRequest(params, context, scope));
  const filled = await fillTransaction(request, { upstream: context.upstream, chainId: await context.chainId(), hasBaseFee: () => context.hasBaseFee() });
  if (filled.nonce === undefined) {
    const pending = Number(await context.upstream.request<Hex>("eth_getTransactionCount", [request.from, "pending"]));
    filled.nonce = `0x${Math.max(pending, context.sender.nextNonce(request.from, filled.chainId!) ?? 0).toString(16)}`;
  }
  const { raw } = await context.signer.request("sign.transaction", { address: request.from, transaction: filled });
  return sidecars ? attachBlobSidecars(raw, sidecars) : raw;
}
