import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMetricsRegistry } from "../../../rpc-proxy/metrics/create_metrics_registry.ts";

test("render() writes counters, gauges and cumulative histograms in the Prometheus text format", () => {
  const registry = createMetricsRegistry();
  const requests = registry.counter("app_requests_total", "Requests.", ["method", "outcome"]);
  const inFlight = registry.gauge("app_in_flight", "In flight.");
  const latency = registry.histogram("app_latency_seconds", "Latency.", ["method"], [0.01, 0.1, 1]);
  requests.inc({ method: "eth_chainId", outcome: "ok" });
  requests.inc({ method: "eth_chainId", outcome: "ok" }, 2);
  requests.inc({ outcome: "error", method: "eth_call" });
  inFlight.inc();
  inFlight.inc();
  inFlight.dec();
  latency.observe(0.005, { method: "eth_call" });
  latency.observe(0.5, { method: "eth_call" });
  latency.observe(3, { method: "eth_call" });
  assert.is(registry.render(), [
    "# HELP app_requests_total Requests.",
    "# TYPE app_requests_total counter",
    'app_requests_total{method="eth_chainId",outcome="ok"} 3',
    'app_requests_total{method="eth_call",outcome="error"} 1',
    "# HELP app_in_flight In flight.",
    "# TYPE app_in_flight gauge",
    "app_in_flight 1",
    "# HELP app_latency_seconds Latency.",
    "# TYPE app_latency_seconds histogram",
    'app_latency_seconds_bucket{method="eth_call",le="0.01"} 1',
    'app_latency_seconds_bucket{method="eth_call",le="0.1"} 1',
    'app_latency_seconds_bucket{method="eth_call",le="1"} 2',
    'app_latency_seconds_bucket{method="eth_call",le="+Inf"} 3',
    "app_latency_seconds_sum{method=\"eth_call\"} 3.505",
    'app_latency_seconds_count{method="eth_call"} 3',
    "",
  ].join("\n"));
});

test("label values are escaped; wrong labels, bad names and decreasing counters are refused", () => {
  const registry = createMetricsRegistry();
  const c = registry.counter("x_total", "Help with \\ and\nnewline.", ["v"]);
  c.inc({ v: 'a"b\\c\nd' });
  assert.match(registry.render(), /^# HELP x_total Help with \\\\ and\\nnewline\.$/m);
  assert.match(registry.render(), /^x_total\{v="a\\"b\\\\c\\nd"\} 1$/m);
  assert.throws(() => c.inc({}), TypeError);
  assert.throws(() => c.inc({ v: "a", w: "b" }), TypeError);
  assert.throws(() => c.inc({ v: "a" }, -1), RangeError);
  assert.throws(() => registry.counter("x_total", "again"), TypeError);
  assert.throws(() => registry.counter("bad-name", "x"), TypeError);
  assert.throws(() => registry.histogram("h", "x", ["le"], [1]), TypeError);
  assert.throws(() => registry.histogram("h2", "x", [], [1, 1]), RangeError);
});

test.run();
