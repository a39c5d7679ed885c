import type { BrowserRefusal } from "../auth/check_browser_request.ts";
import { rpcOutcomeLabel } from "../jsonrpc/rpc_outcome_label.ts";
import type { StateCallOutcome, StateOperation } from "../fleet/create_state_table.ts";
import type { WindowRetryReason } from "../fleet/with_fleet_windows.ts";
import type { RpcErrorObject } from "../jsonrpc/to_rpc_error.ts";
import { methodGroup } from "../methods/rpc_methods.ts";
import { createMetricsRegistry, type MetricsRegistry } from "./create_metrics_registry.ts";

/** Why an HTTP request was turned away before any JSON-RPC handling (a bounded label set). */
export type HttpRejectionReason = "unauthenticated" | "body_too_large" | BrowserRefusal["reason"];

export type ProxyMetrics = {
  readonly registry: MetricsRegistry;
  /** One JSON-RPC entry finished (`method` undefined for an invalid entry). */
  rpcRequest(method: string | undefined, error: RpcErrorObject | undefined, durationMs: number): void;
  /** An HTTP request was turned away before any JSON-RPC handling. */
  httpRejected(reason: HttpRejectionReason): void;
  upstreamCall(method: string, durationMs: number, ok: boolean): void;
  /** `method`: a signer protocol method the proxy calls (a bounded set chosen by this code). */
  signerCall(method: string, durationMs: number, ok: boolean): void;
  nonceResync(): void;
  /** A transaction the node accepted was replaced by another sender's for the same nonce and sent again. */
  replacedResend(): void;
  /** A nonce left unused between sent transactions was filled with a no-op transaction. */
  nonceGapFilled(): void;
  /** A transaction the node lost after accepting it was broadcast again, the same bytes (issue 16). */
  rebroadcast(): void;
  /** One call to the fleet's state table (DynamoDB): `conflict` is a conditional write that lost. */
  stateCall(operation: StateOperation, durationMs: number, outcome: StateCallOutcome): void;
  /** A nonce lease (or return) lost its conditional write to another instance and was tried again. */
  nonceLeaseConflict(): void;
  /** A window record's conditional write lost to another instance: the signature was discarded, the request asked again. */
  windowWriteConflict(): void;
  /** A governed signing request asked the signer again, and why. */
  windowRetry(reason: WindowRetryReason): void;
  requestStarted(): void;
  requestFinished(): void;
};

/** Seconds; from 1 ms (a local signer) to 30 s (the upstream timeout). */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Distinct method label values kept before the rest are counted as "other" (clients choose method names). */
const MAX_METHOD_LABELS = 256;
const METHOD = /^[a-zA-Z][a-zA-Z0-9]*_[a-zA-Z0-9_]{1,60}$/;

/**
 * The proxy's metrics (README "Metrics"): requests by method and outcome, latency of the signing and sending
 * methods, of calls to the node and of signer round trips, nonce resyncs, HTTP rejections, in-flight
 * requests. Method labels are bounded: names that do not look like JSON-RPC methods, and any beyond the
 * first 256 distinct ones, are counted as "other".
 *
 * @example
 * ```ts
 * const metrics = createProxyMetrics();
 * metrics.rpcRequest("eth_chainId", undefined, 1.2);
 * response.body = metrics.registry.render();
 * ```
 */
export function createProxyMetrics(registry: MetricsRegistry = createMetricsRegistry()): ProxyMetrics {
  const requests = registry.counter("rpc_proxy_requests_total", "JSON-RPC requests (batch entries count one each) by method and outcome.", ["method", "outcome"]);
  const signing = registry.histogram(
    "rpc_proxy_signing_duration_seconds",
    "Time to answer a signing or sending method (fill, nonce, signer, broadcast), by method.",
    ["method"],
    LATENCY_BUCKETS,
  );
  const upstream = registry.histogram("rpc_proxy_upstream_duration_seconds", "Calls to the Ethereum node, by method and outcome.", ["method", "outcome"], LATENCY_BUCKETS);
  const signer = registry.histogram("rpc_proxy_signer_round_trip_seconds", "Round trips to the enclave signer, by signer method and outcome.", ["method", "outcome"], LATENCY_BUCKETS);
  const resyncs = registry.counter("rpc_proxy_nonce_resyncs_total", "Times a nonce was re-read from the node after the node reported it used.");
  const replaced = registry.counter("rpc_proxy_replaced_resends_total", "Sent transactions the node replaced with another sender's for the same nonce, sent again with a new nonce.");
  const rebroadcasts = registry.counter("rpc_proxy_rebroadcasts_total", "Sent transactions the node lost after accepting them (evicted, a restart without its pool), broadcast again unchanged.");
  const gapFills = registry.counter("rpc_proxy_nonce_gap_fills_total", "Nonces left unused between sent transactions (a send the node refused), filled with a 0-value transaction to self.");
  const stateCalls = registry.histogram(
    "rpc_proxy_state_duration_seconds",
    "Calls to the fleet's DynamoDB state table, by operation and outcome (ok, conflict: a conditional write lost, error).",
    ["operation", "outcome"],
    LATENCY_BUCKETS,
  );
  const stateErrors = registry.counter("rpc_proxy_state_errors_total", "Calls to the fleet's DynamoDB state table that failed (unreachable, throttled, denied), by operation.", ["operation"]);
  const leaseConflicts = registry.counter("rpc_proxy_nonce_lease_conflicts_total", "Nonce leases (or returns) that lost their conditional write to another instance and were tried again.");
  const windowConflicts = registry.counter("rpc_proxy_window_write_conflicts_total", "Window records whose conditional write lost to another instance (signature discarded, request asked again).");
  const windowRetries = registry.counter("rpc_proxy_window_retries_total", "Governed signing requests asked again, by reason (required, stale, conflict).", ["reason"]);
  const rejected = registry.counter("rpc_proxy_http_rejections_total", "HTTP requests refused before JSON-RPC handling, by reason.", ["reason"]);
  const inFlight = registry.gauge("rpc_proxy_requests_in_flight", "HTTP JSON-RPC requests being answered.");
  inFlight.set(0);
  resyncs.inc({}, 0);
  replaced.inc({}, 0);
  gapFills.inc({}, 0);
  rebroadcasts.inc({}, 0);
  leaseConflicts.inc({}, 0);
  windowConflicts.inc({}, 0);

  const seen = new Set<string>();
  const methodLabel = (method: string | undefined): string => {
    if (method === undefined) return "(invalid)";
    if (seen.has(method)) return method;
    if (!METHOD.test(method) || seen.size >= MAX_METHOD_LABELS) return "other";
    seen.add(method);
    return method;
  };
  const outcome = (ok: boolean) => (ok ? "ok" : "error");

  return {
    registry,
    rpcRequest(method, error, durationMs) {
      const label = methodLabel(method);
      requests.inc({ method: label, outcome: rpcOutcomeLabel(error) });
      if (method !== undefined && (methodGroup(method) === "sign" || methodGroup(method) === "send")) {
        signing.observe(durationMs / 1000, { method: label });
      }
    },
    httpRejected: (reason) => rejected.inc({ reason }),
    upstreamCall: (method, durationMs, ok) => upstream.observe(durationMs / 1000, { method: methodLabel(method), outcome: outcome(ok) }),
    signerCall: (method, durationMs, ok) => signer.observe(durationMs / 1000, { method, outcome: outcome(ok) }),
    nonceResync: () => resyncs.inc(),
    replacedResend: () => replaced.inc(),
    nonceGapFilled: () => gapFills.inc(),
    rebroadcast: () => rebroadcasts.inc(),
    stateCall(operation, durationMs, result) {
      stateCalls.observe(durationMs / 1000, { operation, outcome: result });
      if (result === "error") stateErrors.inc({ operation });
    },
    nonceLeaseConflict: () => leaseConflicts.inc(),
    windowWriteConflict: () => windowConflicts.inc(),
    windowRetry: (reason) => windowRetries.inc({ reason }),
    requestStarted: () => inFlight.inc(),
    requestFinished: () => inFlight.dec(),
  };
}
