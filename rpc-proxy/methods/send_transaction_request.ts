import type { Hex } from "../../signer/protocol/messages.ts";
import { attachBlobSidecars } from "../transactions/attach_blob_sidecars.ts";
import { fillFees } from "../transactions/fill_fees.ts";
import { fillTransaction } from "../transactions/fill_transaction.ts";
import { takeBlobSidecars } from "../transactions/take_blob_sidecars.ts";
import { parseTransactionRequest } from "./parse_transaction_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * `eth_sendTransaction` (and `wallet_sendTransaction`): fills the transaction (gas from eth_estimateGas here,
 * where sends run in parallel), then the sender gives it the account's next nonce and current fees, signs and
 * broadcasts it with the account's other sends (`createTransactionSender`), and returns the hash once the node
 * holds the transaction. A nonce given by the caller is used as is: fees are read, and it is signed and
 * broadcast alone, never retried.
 *
 * @example
 * ```ts
 * const hash = await sendTransactionRequest([{ from, to, value: "0x1" }], context, scope);
 * ```
 */
export async function sendTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { request, sidecars } = takeBlobSidecars(await parseTransactionRequest(params, context, scope));
  const { upstream } = context;
  const filled = await fillTransaction(request, { upstream, chainId: await context.chainId(), fees: false, hasBaseFee: () => context.hasBaseFee() });
  const wrap = (raw: Hex) => (sidecars ? attachBlobSidecars(raw, sidecars) : raw);
  if (filled.nonce === undefined) return context.sender.send(request.from, filled, wrap);
  const transaction = { ...filled, ...(await fillFees(filled, { upstream })) };
  const { raw } = await context.signer.request("sign.transaction", { address: request.from, transaction });
  return upstream.request<Hex>("eth_sendRawTransaction", [wrap(raw)]);
}
