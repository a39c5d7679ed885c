import { test } from "uvu";
import * as assert from "uvu/assert";
import { createProxyMetrics } from "../../../rpc-proxy/metrics/create_proxy_metrics.ts";

// Clients choose method names, so a client sending endless distinct names must not grow the metrics without
// bound: the first 256 distinct well-formed names get their own label, every later one is counted as "other".

/** Method label values of one metric in the rendered text, with their counts. */
function methodCounts(text: string, metric: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = line.match(new RegExp(`^${metric}\\{method="([^"]*)"[^}]*\\} (\\d+)$`));
    if (m) counts.set(m[1]!, (counts.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return counts;
}

test("rpcRequest(): 256 distinct method labels at most, the rest counted as other; a name seen before keeps its label", () => {
  const metrics = createProxyMetrics();
  for (let i = 0; i < 300; i++) metrics.rpcRequest(`x_method${i}`, undefined, 1);
  metrics.rpcRequest("x_method0", undefined, 1);
  metrics.rpcRequest("x_method255", undefined, 1);
  metrics.rpcRequest("x_method256", undefined, 1);
  const counts = methodCounts(metrics.registry.render(), "rpc_proxy_requests_total");
  assert.is(counts.size, 257, "256 methods and other");
  assert.is(counts.get("x_method0"), 2);
  assert.is(counts.get("x_method255"), 2, "the 256th name has its own label");
  assert.is(counts.get("x_method256"), undefined, "the 257th does not");
  assert.is(counts.get("other"), 44 + 1);
});

test("upstreamCall() shares the bound: names past the cap are other there too; malformed names are other from the start", () => {
  const metrics = createProxyMetrics();
  metrics.upstreamCall("<script>", 1, true);
  for (let i = 0; i < 260; i++) metrics.upstreamCall(`eth_m${i}`, 1, true);
  const counts = methodCounts(metrics.registry.render(), "rpc_proxy_upstream_duration_seconds_count");
  assert.is(counts.size, 257);
  assert.is(counts.get("other"), 1 + 4);
});

test.run();
