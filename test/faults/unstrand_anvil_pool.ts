import type { Hex } from "viem";
import { rawsFromNode } from "../../bench/check_sends.ts";
import { call } from "../helpers/rpc.ts";

type PoolGroup = Record<string, Record<string, { hash: Hex }>>;

/**
 * Anvil's pool sometimes keeps an account's next transaction from being mined for good, in two ways (both seen
 * with transactions that reached it out of nonce order: it answers a batch's entries concurrently):
 * - ready, but passed over: it mines blocks past it (foundry#10122); a block mined by hand (`evm_mine`) takes it;
 * - "queued" although it has the account's next nonce: its pending count stays at the mined one, and the same
 *   bytes sent again are "transaction already imported". Emptying Anvil's pool of the account's transactions
 *   (`anvil_removePoolTransactions`) and sending the same signed bytes again, one at a time in nonce order, does.
 * A real node mines such a transaction; a sender cannot tell the node anything it does not already hold.
 *
 * When the node holds a transaction at the account's next nonce (the caller waited long enough for automine),
 * this mines a block by hand, and if the account's nonce still does not move, refills the pool. It resolves with
 * how many of the account's transactions that moved (mined by the forced block, or sent again); 0 when nothing was
 * held at the account's nonce, and then it touched nothing. It only mines and resends what the node itself holds,
 * so it cannot make up for a transaction a sender lost, nor for a nonce given twice.
 *
 * @example
 * ```ts
 * const moved = await unstrandAnvilPool(anvilUrl, account);
 * ```
 */
export async function unstrandAnvilPool(nodeUrl: string, address: Hex): Promise<number> {
  const mined = async () => Number(await call<Hex>(nodeUrl, "eth_getTransactionCount", [address, "latest"]));
  const [latest, pool] = await Promise.all([mined(), call<{ pending?: PoolGroup; queued?: PoolGroup }>(nodeUrl, "txpool_content")]);
  const ofAccount = (group: PoolGroup | undefined) => Object.entries(group ?? {}).find(([key]) => key.toLowerCase() === address.toLowerCase())?.[1] ?? {};
  const [ready, queued] = [ofAccount(pool.pending), ofAccount(pool.queued)];
  if (!(String(latest) in ready) && !(String(latest) in queued)) return 0;
  await call(nodeUrl, "evm_mine");
  const after = await mined();
  if (after > latest) return after - latest;
  const raws = await rawsFromNode(nodeUrl, [...Object.values(ready), ...Object.values(queued)].map((tx) => tx.hash));
  await call(nodeUrl, "anvil_removePoolTransactions", [address]);
  for (const raw of raws) await call(nodeUrl, "eth_sendRawTransaction", [raw]).catch(() => {});
  return raws.length;
}
