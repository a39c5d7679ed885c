import type { Hex } from "../../signer/protocol/messages.ts";
import type { Upstream } from "../upstream/create_upstream.ts";

export type ConfirmBroadcastOptions = {
  /** How long a transaction still in the pool is watched before it counts as kept. */
  graceMs: number;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
};

/**
 * Watches a transaction the node just accepted for `graceMs`: "kept" once it is mined or still pooled at the
 * end, "dropped" if the node no longer knows it — another instance sending from the same account took the same
 * nonce with a higher fee and the node replaced it (Anvil replaces on any higher fee, geth on a 10 % bump).
 * Such a rival can only have read the account's pending count before this transaction reached the pool, so it
 * sends within about its own fill-sign-send time; `graceMs` is a multiple of that. A dropped transaction is
 * sent again by the caller with a fresh nonce, so a client never waits on a hash that will not be mined.
 *
 * @example
 * ```ts
 * if ((await confirmBroadcast(hash, upstream, { graceMs: 50 })) === "dropped") retry();
 * ```
 */
export async function confirmBroadcast(hash: Hex, upstream: Upstream, options: ConfirmBroadcastOptions): Promise<"kept" | "dropped"> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const step = Math.max(10, options.graceMs / 4);
  for (let waited = 0; ; waited += step) {
    const tx = await upstream.request<{ blockNumber: Hex | null } | null>("eth_getTransactionByHash", [hash]);
    if (tx?.blockNumber) return "kept";
    if (!tx) {
      // Unknown now: dropped unless it was mined in between.
      const receipt = await upstream.request<unknown>("eth_getTransactionReceipt", [hash]);
      return receipt ? "kept" : "dropped";
    }
    if (waited >= options.graceMs) return "kept";
    await sleep(step);
  }
}
