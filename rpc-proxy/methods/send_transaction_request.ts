import type { Hex, TransactionParams } from "../../signer/protocol/messages.ts";
import { RpcCode, RpcError, UpstreamRpcError } from "../jsonrpc/rpc_error.ts";
import { attachBlobSidecars } from "../transactions/attach_blob_sidecars.ts";
import { confirmBroadcast } from "../transactions/confirm_broadcast.ts";
import { fillFees } from "../transactions/fill_fees.ts";
import { fillTransaction } from "../transactions/fill_transaction.ts";
import { takeBlobSidecars, type BlobSidecars } from "../transactions/take_blob_sidecars.ts";
import { parseTransactionRequest } from "./parse_transaction_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/** How many times a send is retried with a fresh nonce after the node reports the nonce as used. */
export const MAX_NONCE_RETRIES = 16;

/** What nodes (geth, reth, Anvil, Erigon, Nethermind) answer when a nonce is already used or taken in the pool. */
const NONCE_USED = /nonce too low|already known|known transaction|replacement transaction underpriced|nonce.*already|already imported|AlreadyKnown|OldNonce/i;

/**
 * `eth_sendTransaction` (and `wallet_sendTransaction`): fills the transaction (gas outside the nonce lease,
 * fees under it), takes a nonce from the nonce manager, signs, broadcasts with eth_sendRawTransaction (with blob sidecars in network form) and returns the
 * hash. A failure before the node accepted the transaction releases the nonce to the next send (no gap); a
 * node answer that the nonce is already used (another instance sent it) resyncs and retries with the next
 * nonce after a short randomized back-off; a transaction the node drops right after accepting it (replaced
 * by another instance's for the same nonce, see `confirmBroadcast`) is sent again with a fresh nonce. At most
 * MAX_NONCE_RETRIES retries in all. A nonce given by the caller is used as is and never retried.
 *
 * @example
 * ```ts
 * const hash = await sendTransactionRequest([{ from, to, value: "0x1" }], context, scope);
 * ```
 */
export async function sendTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { request, sidecars } = takeBlobSidecars(await parseTransactionRequest(params, context, scope));
  const chainId = await context.chainId();
  const upstream = context.upstream;
  const filled = await fillTransaction(request, { upstream, chainId, fees: false });
  if (filled.nonce !== undefined) return signAndSend(request.from, { ...filled, ...(await fillFees(filled, { upstream })) }, sidecars, context);

  for (let attempt = 0; ; attempt++) {
    const lease = await context.nonces.reserve(`${chainId}:${request.from.toLowerCase()}`, request.from);
    const started = performance.now();
    let nonceUsed = false;
    let hash: Hex | undefined;
    try {
      // Fees are read under the lease, just before signing: fresh when the send waited its turn, and two
      // instances racing for one nonce then most likely offer the same fees, so the node refuses the second
      // ("replacement transaction underpriced") instead of dropping the first for it.
      const fees = await fillFees(filled, { upstream });
      hash = await signAndSend(request.from, { ...filled, ...fees, nonce: `0x${lease.nonce.toString(16)}` }, sidecars, context);
      lease.commit();
    } catch (error) {
      nonceUsed = error instanceof UpstreamRpcError && NONCE_USED.test(error.error.message);
      if (!nonceUsed || attempt >= MAX_NONCE_RETRIES) throw error;
    } finally {
      if (nonceUsed) lease.resync();
      else lease.release(); // no-op after commit
    }
    if (hash === undefined) {
      await backOff(attempt); // the nonce was used: try the next one
      continue;
    }
    // Outside the lease, so the account's next send goes ahead meanwhile.
    const graceMs = Math.min(MAX_GRACE_MS, Math.max(MIN_GRACE_MS, 3 * (performance.now() - started)));
    if ((await confirmBroadcast(hash, upstream, { graceMs })) === "kept") return hash;
    if (attempt >= MAX_NONCE_RETRIES) throw new RpcError(RpcCode.internal, "Transaction replaced: another sender kept taking its nonce");
    context.onReplaced?.();
    await backOff(attempt);
  }
}

/** Bounds of the time a just-sent transaction is watched for replacement (see `confirmBroadcast`). */
const MIN_GRACE_MS = 20;
const MAX_GRACE_MS = 1000;

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
