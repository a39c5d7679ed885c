import type { Hex } from "../../signer/mod.ts";
import type { Upstream, UpstreamOutcome } from "../upstream/create_upstream.ts";

/** A transaction the node accepted: its hash and nonce. */
export type Broadcast = { hash: Hex; nonce: number };

export type WatchBroadcastsOptions = {
  /** How long a transaction still in the pool is watched before it counts as kept. */
  graceMs: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
};

/**
 * Watches transactions of one account that the node just accepted, and resolves with the hashes it dropped. A
 * transaction is kept once it is mined, or when it is still in the pool after `graceMs`; it is dropped if by
 * then the node no longer knows it — another instance sending from the same account took the same nonce with a
 * higher fee and the node replaced it (Anvil replaces on any higher fee cap, geth on a 10 % bump of both fees),
 * or the node evicted it. Such a rival read the account's pending count before these transactions reached the
 * pool, so it sends within about its own fill-sign-send time, of which `graceMs` is a multiple.
 *
 * The watch costs the node little: it polls the account's mined count (one call, soon and then less and less
 * often) until every nonce is mined or the grace is over, then asks the receipts in one batch, and looks up by
 * hash only what has none. When the node cannot be asked, a transaction counts as kept: it accepted it.
 *
 * @example
 * ```ts
 * const dropped = await watchBroadcasts(from, [{ hash, nonce: 7 }], upstream, { graceMs: 50 });
 * ```
 */
export async function watchBroadcasts(from: Hex, sent: readonly Broadcast[], upstream: Upstream, options: WatchBroadcastsOptions): Promise<Set<Hex>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const step = Math.max(5, options.graceMs / 4);
  const top = Math.max(...sent.map((s) => s.nonce));
  const withoutReceipt = async (list: readonly Broadcast[]) => {
    const receipts = await upstream.batch(list.map(({ hash }) => ["eth_getTransactionReceipt", [hash]] as const));
    return list.filter((_, i) => !found(receipts[i]!));
  };
  const minedCount = async () => {
    const [outcome] = await upstream.batch([["eth_getTransactionCount", [from, "latest"]]]);
    return outcome!.ok ? Number(outcome!.result) : undefined;
  };
  let mined = await minedCount();
  // On a chain that mines at once (Anvil's automine) this takes milliseconds: look again soon, then less often.
  for (let waited = 0, wait = 1; (mined === undefined || mined <= top) && waited < options.graceMs; waited += wait, wait = Math.min(step, 2 * wait)) {
    await sleep(wait);
    mined = (await minedCount()) ?? mined;
  }
  // A node may count a nonce as mined a moment before it serves the receipt, so a missing receipt alone proves
  // nothing: what has none is looked up by hash, and only what the node no longer knows at all is dropped.
  const open = await withoutReceipt(sent);
  if (open.length === 0) return new Set();
  const pooled = await upstream.batch(open.map(({ hash }) => ["eth_getTransactionByHash", [hash]] as const));
  const unknown = open.filter((_, i) => !found(pooled[i]!));
  // Unknown now: dropped unless it was mined in between.
  return new Set(unknown.length === 0 ? [] : (await withoutReceipt(unknown)).map((s) => s.hash));
}

/** The node returned an object (a receipt, a transaction), or could not be asked (then assume it is there). */
function found(outcome: UpstreamOutcome): boolean {
  return !outcome.ok || (outcome.result !== null && typeof outcome.result === "object");
}
