import type { Hex } from "viem";
import { rawsFromNode } from "../../bench/check_sends.ts";
import { call } from "../helpers/rpc.ts";

type PoolGroup = Record<string, Record<string, { hash: Hex }>>;

/**
 * Anvil's pool sometimes keeps an account's transactions "queued" although the first of them has the account's
 * next nonce: transactions that reached it out of nonce order (it answers a batch's entries concurrently), while
 * it was mining. They are never mined, its pending count stays at the mined one, and the same bytes sent again
 * are "transaction already imported". A real node promotes such a transaction at once; a sender cannot tell the
 * node anything it does not already hold.
 *
 * When the account's next nonce is queued, this empties Anvil's pool of the account's transactions
 * (`anvil_removePoolTransactions`) and sends every one of them again, the same signed bytes, one at a time in
 * nonce order, and resolves with how many it sent (0: nothing stranded, nothing touched). It sends only what the
 * node itself holds, so it cannot make up for a transaction a sender lost, nor for a nonce given twice.
 *
 * @example
 * ```ts
 * const resent = await unstrandAnvilPool(anvilUrl, account);
 * ```
 */
export async function unstrandAnvilPool(nodeUrl: string, address: Hex): Promise<number> {
  const [latest, pool] = await Promise.all([
    call<Hex>(nodeUrl, "eth_getTransactionCount", [address, "latest"]),
    call<{ pending?: PoolGroup; queued?: PoolGroup }>(nodeUrl, "txpool_content"),
  ]);
  const ofAccount = (group: PoolGroup | undefined) => Object.entries(group ?? {}).find(([key]) => key.toLowerCase() === address.toLowerCase())?.[1] ?? {};
  const queued = ofAccount(pool.queued);
  if (!(String(Number(latest)) in queued)) return 0;
  const raws = await rawsFromNode(nodeUrl, [...Object.values(ofAccount(pool.pending)), ...Object.values(queued)].map((tx) => tx.hash));
  await call(nodeUrl, "anvil_removePoolTransactions", [address]);
  for (const raw of raws) await call(nodeUrl, "eth_sendRawTransaction", [raw]).catch(() => {});
  return raws.length;
}
