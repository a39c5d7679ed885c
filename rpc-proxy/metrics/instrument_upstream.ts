import type { Upstream } from "../upstream/create_upstream.ts";
import { createCallTimer } from "./create_call_timer.ts";
import type { ProxyMetrics } from "./create_proxy_metrics.ts";

/**
 * The same upstream, with every call to the node timed (a batch as `(batch)`) into `rpc_proxy_upstream_duration_seconds`. A
 * forwarded body is labelled with its method, which the caller passes.
 *
 * @example
 * ```ts
 * const upstream = instrumentUpstream(createUpstream(url), metrics);
 * ```
 */
export function instrumentUpstream(upstream: Upstream, metrics: ProxyMetrics, now: () => number = () => performance.now()): Upstream & {
  forwardMethod(method: string, body: string): Promise<string>;
} {
  const timed = createCallTimer((method, ms, ok) => metrics.upstreamCall(method, ms, ok), now);
  return {
    displayUrl: upstream.displayUrl,
    request: (method, params) => timed(method, () => upstream.request(method, params)),
    batch: (calls) => timed("(batch)", () => upstream.batch(calls)),
    forward: (body) => timed("(forward)", () => upstream.forward(body)),
    forwardMethod: (method, body) => timed(method, () => upstream.forward(body)),
    close: () => upstream.close(),
  };
}
