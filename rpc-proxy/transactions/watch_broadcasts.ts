import type { Hex } from "../../signer/protocol/messages.ts";
import type { Upstream, UpstreamOutcome } from "../upstream/create_upstream.ts";

export type WatchBroadcastsOptions = {
  /** How long a transaction still in the pool is watched before it counts as kept. */
  graceMs: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
};

/**
 * Watches transactions the node just accepted and resolves with those it dropped. A transaction is kept once
 * it is mined, or when it is still in the pool after `graceMs`; it is dropped if by then the node no longer
 * knows it — another instance sending from the same account took the same nonce with a higher fee and the
 * node replaced it (Anvil replaces on any higher fee cap, geth on a 10 % bump of both fees). Such a rival read
 * the account's pending count before these transactions reached the pool, so it sends within about its own
 * fill-sign-send time, of which `graceMs` is a multiple. All checks for the group go as one batch each:
 * receipts first (on a chain that mines at once, the only check), then, for any still unmined when the grace
 * is over, the transactions by hash. When the node cannot be asked, a transaction counts as kept: it accepted
 * it.
 *
 * @example
 * ```ts
 * const dropped = await watchBroadcasts(hashes, upstream, { graceMs: 50 });
 * ```
 */
export async function watchBroadcasts(hashes: readonly Hex[], upstream: Upstream, options: WatchBroadcastsOptions): Promise<Set<Hex>> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const step = Math.max(5, options.graceMs / 4);
  const unmined = async (open: readonly Hex[]) => {
    const receipts = await upstream.batch(open.map((hash) => ["eth_getTransactionReceipt", [hash]] as const));
    return open.filter((_, i) => !found(receipts[i]!));
  };
  let open = await unmined(hashes);
  // On a chain that mines at once (Anvil's automine) the receipts come within milliseconds: look again soon,
  // then less and less often.
  for (let waited = 0, wait = 1; open.length > 0 && waited < options.graceMs; waited += wait, wait = Math.min(step, 2 * wait)) {
    await sleep(wait);
    open = await unmined(open);
  }
  if (open.length === 0) return new Set();
  const pooled = await upstream.batch(open.map((hash) => ["eth_getTransactionByHash", [hash]] as const));
  const unknown = open.filter((_, i) => !found(pooled[i]!));
  // Unknown now: dropped unless it was mined in between.
  return new Set(unknown.length === 0 ? [] : await unmined(unknown));
}

/** The node returned an object (a receipt, a transaction), or could not be asked (then assume it is there). */
function found(outcome: UpstreamOutcome): boolean {
  return !outcome.ok || (outcome.result !== null && typeof outcome.result === "object");
}
