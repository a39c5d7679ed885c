import type { Upstream, UpstreamCall, UpstreamOutcome } from "./create_upstream.ts";

export type CoalesceUpstreamOptions = {
  /** Batches of each lane on their way to the node at once; calls made meanwhile wait and go together. @default 2 */
  maxInFlight?: number;
  /** Most calls in one batch (nodes and providers cap batches; geth at 1000). @default 100 */
  maxBatch?: number;
};

/**
 * The same upstream, with calls coalesced into JSON-RPC batches: calls made in the same turn of the event loop
 * go as one batch, and while `maxInFlight` batches are on their way, later calls queue and go together when
 * one returns. An idle proxy so sends each call at once; a busy one makes one HTTP request (and the node one
 * request to parse and route) per batch instead of per call, which is most of what a cheap call costs a node.
 *
 * There are two lanes, so a slow batch never holds up a quick read: `request` calls (estimates, nonce and fee
 * reads) share one, and `batch` calls (broadcasts and watches of whole groups, which stay whole and in order)
 * the other. For the proxy's own calls on the send path, whose results it waits for anyway; passthrough keeps
 * its own connection so a slow client call never holds these up.
 *
 * @example
 * ```ts
 * const sendPath = coalesceUpstream(upstream);
 * const [gas, count] = await Promise.all([sendPath.request("eth_estimateGas", [tx]), sendPath.request("eth_getTransactionCount", [from, "pending"])]);
 * ```
 */
export function coalesceUpstream(upstream: Upstream, options: CoalesceUpstreamOptions = {}): Upstream {
  const reads = createLane(upstream, options);
  const batches = createLane(upstream, options);
  return {
    displayUrl: upstream.displayUrl,
    forward: (body) => upstream.forward(body),
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      const [outcome] = await reads([[method, params]]);
      if (!outcome!.ok) throw outcome!.error;
      return outcome!.result as T;
    },
    batch: (calls) => (calls.length === 0 ? Promise.resolve([]) : batches(calls)),
    close: () => upstream.close(),
  };
}

/** One queue of call lists, each settled whole, sent as batches of up to `maxBatch` calls, `maxInFlight` at a time. */
function createLane(upstream: Upstream, options: CoalesceUpstreamOptions): (calls: readonly UpstreamCall[]) => Promise<UpstreamOutcome[]> {
  const maxInFlight = options.maxInFlight ?? 2;
  const maxBatch = options.maxBatch ?? 100;
  type Waiting = { calls: readonly UpstreamCall[]; settle: (outcomes: UpstreamOutcome[]) => void };
  const queue: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    while (queue.length > 0 && inFlight < maxInFlight) {
      let size = queue[0]!.calls.length;
      let count = 1;
      while (count < queue.length && size + queue[count]!.calls.length <= maxBatch) size += queue[count++]!.calls.length;
      const taken = queue.splice(0, count);
      const calls = taken.flatMap((w) => w.calls);
      inFlight++;
      void upstream.batch(calls)
        .catch((error) => calls.map(() => ({ ok: false as const, error })))
        .then((outcomes) => {
          inFlight--;
          let at = 0;
          for (const w of taken) w.settle(outcomes.slice(at, (at += w.calls.length)));
          flush();
        });
    }
  };

  return (calls) => new Promise<UpstreamOutcome[]>((settle) => {
    queue.push({ calls, settle });
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  });
}
