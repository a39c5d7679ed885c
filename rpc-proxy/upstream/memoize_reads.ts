import type { Upstream } from "./create_upstream.ts";

/**
 * The same upstream, with the answers to `methods` (per params) shared for `maxAgeMs` from when they were asked:
 * calls made meanwhile, also while the first is still on its way, get the same answer. A failed call is not
 * kept. For reads that many callers need at once and that may be a moment old, such as the fee reads of every
 * account's send group.
 *
 * @example
 * ```ts
 * const fees = memoizeReads(upstream, ["eth_maxPriorityFeePerGas"], 250);
 * await Promise.all([fees.request("eth_maxPriorityFeePerGas"), fees.request("eth_maxPriorityFeePerGas")]); // one call
 * ```
 */
export function memoizeReads(upstream: Upstream, methods: readonly string[], maxAgeMs: number, now: () => number = () => performance.now()): Upstream {
  const memoized = new Set(methods);
  const kept = new Map<string, { at: number; answer: Promise<unknown> }>();
  return {
    ...upstream,
    request<T>(method: string, params: unknown[] = []): Promise<T> {
      if (!memoized.has(method)) return upstream.request<T>(method, params);
      const key = `${method} ${JSON.stringify(params)}`;
      const hit = kept.get(key);
      if (hit && now() - hit.at <= maxAgeMs) return hit.answer as Promise<T>;
      const answer = upstream.request<T>(method, params);
      kept.set(key, { at: now(), answer });
      answer.catch(() => {
        if (kept.get(key)?.answer === answer) kept.delete(key);
      });
      return answer;
    },
  };
}
