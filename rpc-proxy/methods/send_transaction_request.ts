import type { Hex, TransactionParams } from "../../signer/protocol/messages.ts";
import { UpstreamRpcError } from "../jsonrpc/rpc_error.ts";
import { fillTransaction } from "../transactions/fill_transaction.ts";
import { parseTransactionRequest } from "./parse_transaction_request.ts";
import type { RpcContext } from "./rpc_context.ts";

/** How many times a send is retried with a fresh nonce after the node reports the nonce as used. */
export const MAX_NONCE_RETRIES = 8;

const NONCE_USED = /nonce too low|already known|known transaction|replacement transaction underpriced|nonce.*already/i;

/**
 * `eth_sendTransaction`: fills the transaction, takes a nonce from the nonce manager, signs, broadcasts with
 * eth_sendRawTransaction and returns the hash. A failure before broadcast releases the nonce (no gap); a node
 * answer that the nonce is already used (another instance sent it) resyncs and retries with a new nonce, a
 * bounded number of times. A nonce given by the caller is used as is and never retried.
 *
 * @example
 * ```ts
 * const hash = await sendTransactionRequest([{ from, to, value: "0x1" }], context);
 * ```
 */
export async function sendTransactionRequest(params: unknown[], context: RpcContext): Promise<Hex> {
  const request = await parseTransactionRequest(params, context);
  const chainId = await context.chainId();
  const filled = await fillTransaction(request, { upstream: context.upstream, chainId });
  if (filled.nonce !== undefined) return signAndSend(request.from, filled, context);

  for (let attempt = 0; ; attempt++) {
    const lease = await context.nonces.reserve(`${chainId}:${request.from.toLowerCase()}`, request.from);
    try {
      const hash = await signAndSend(request.from, { ...filled, nonce: `0x${lease.nonce.toString(16)}` }, context);
      lease.commit();
      return hash;
    } catch (error) {
      if (error instanceof UpstreamRpcError && NONCE_USED.test(error.error.message) && attempt < MAX_NONCE_RETRIES) {
        lease.resync();
        continue;
      }
      if (error instanceof UpstreamRpcError && NONCE_USED.test(error.error.message)) lease.resync();
      else lease.release();
      throw error;
    }
  }
}

async function signAndSend(from: Hex, transaction: TransactionParams, context: RpcContext): Promise<Hex> {
  const { raw } = await context.signer.request("sign.transaction", { address: from, transaction });
  return context.upstream.request<Hex>("eth_sendRawTransaction", [raw]);
}
