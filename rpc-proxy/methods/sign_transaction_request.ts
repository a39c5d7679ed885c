import type { Hex } from "../../signer/protocol/messages.ts";
import { attachBlobSidecars } from "../transactions/attach_blob_sidecars.ts";
import { fillTransaction } from "../transactions/fill_transaction.ts";
import { takeBlobSidecars } from "../transactions/take_blob_sidecars.ts";
import { parseTransactionRequest } from "./parse_transaction_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * `eth_signTransaction`: fills the partial transaction (the nonce from the node's pending count, without
 * reserving it, since nothing is broadcast) and returns the raw signed transaction; with blob sidecars, in the
 * network form that eth_sendRawTransaction takes.
 *
 * @example
 * ```ts
 * const raw = await signTransactionRequest([{ from, to, value: "0x1" }], context, scope);
 * ```
 */
export async function signTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { request, sidecars } = takeBlobSidecars(await parseTransactionRequest(params, context, scope));
  const filled = await fillTransaction(request, { upstream: context.upstream, chainId: await context.chainId(), hasBaseFee: () => context.hasBaseFee() });
  filled.nonce ??= await context.upstream.request<Hex>("eth_getTransactionCount", [request.from, "pending"]);
  const { raw } = await context.signer.request("sign.transaction", { address: request.from, transaction: filled });
  return sidecars ? attachBlobSidecars(raw, sidecars) : raw;
}
