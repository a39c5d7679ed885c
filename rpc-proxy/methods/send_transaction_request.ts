import type { Hex, TransactionParams } from "../../signer/protocol/messages.ts";
import { UpstreamRpcError } from "../jsonrpc/rpc_error.ts";
import { attachBlobSidecars } from "../transactions/attach_blob_sidecars.ts";
import { fillTransaction } from "../transactions/fill_transaction.ts";
import { takeBlobSidecars, type BlobSidecars } from "../transactions/take_blob_sidecars.ts";
import { parseTransactionRequest } from "./parse_transaction_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/** How many times a send is retried with a fresh nonce after the node reports the nonce as used. */
export const MAX_NONCE_RETRIES = 16;

/** What nodes (geth, reth, Anvil, Erigon, Nethermind) answer when a nonce is already used or taken in the pool. */
const NONCE_USED = /nonce too low|already known|known transaction|replacement transaction underpriced|nonce.*already|already imported|AlreadyKnown|OldNonce/i;

/**
 * `eth_sendTransaction` (and `wallet_sendTransaction`): fills the transaction, takes a nonce from the nonce
 * manager, signs, broadcasts with eth_sendRawTransaction (with blob sidecars in network form) and returns the
 * hash. A failure before the node accepted the transaction releases the nonce to the next send (no gap); a
 * node answer that the nonce is already used (another instance sent it) resyncs and retries with the next
 * nonce after a short randomized back-off, at most MAX_NONCE_RETRIES times. A nonce given by the caller is
 * used as is and never retried.
 *
 * @example
 * ```ts
 * const hash = await sendTransactionRequest([{ from, to, value: "0x1" }], context, scope);
 * ```
 */
export async function sendTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { request, sidecars } = takeBlobSidecars(await parseTransactionRequest(params, context, scope));
  const chainId = await context.chainId();
  const filled = await fillTransaction(request, { upstream: context.upstream, chainId });
  if (filled.nonce !== undefined) return signAndSend(request.from, filled, sidecars, context);

  for (let attempt = 0; ; attempt++) {
    const lease = await context.nonces.reserve(`${chainId}:${request.from.toLowerCase()}`, request.from);
    let nonceUsed = false;
    try {
      const hash = await signAndSend(request.from, { ...filled, nonce: `0x${lease.nonce.toString(16)}` }, sidecars, context);
      lease.commit();
      return hash;
    } catch (error) {
      nonceUsed = error instanceof UpstreamRpcError && NONCE_USED.test(error.error.message);
      if (!nonceUsed || attempt >= MAX_NONCE_RETRIES) throw error;
    } finally {
      if (nonceUsed) lease.resync();
      else lease.release(); // no-op after commit
    }
    await backOff(attempt);
  }
}

async function signAndSend(from: Hex, transaction: TransactionParams, sidecars: BlobSidecars | undefined, context: RpcContext): Promise<Hex> {
  const { raw } = await context.signer.request("sign.transaction", { address: from, transaction });
  return context.upstream.request<Hex>("eth_sendRawTransaction", [sidecars ? attachBlobSidecars(raw, sidecars) : raw]);
}

/**
 * Full-jitter exponential back-off (2 ms … 500 ms): two instances racing for the same nonces stop colliding
 * in lockstep, and the one that lost lets the other drain its queue.
 */
function backOff(attempt: number): Promise<void> {
  const cap = Math.min(500, 2 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * cap));
}
