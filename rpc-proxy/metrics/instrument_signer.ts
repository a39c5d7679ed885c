import type { SignerClient } from "../../signer/mod.ts";
import { createCallTimer } from "./create_call_timer.ts";
import type { ProxyMetrics } from "./create_proxy_metrics.ts";

/**
 * The same signer client, with every round trip timed into `rpc_proxy_signer_round_trip_seconds`.
 *
 * @example
 * ```ts
 * const signer = instrumentSigner(createSignerClient(connect), metrics);
 * ```
 */
export function instrumentSigner(signer: SignerClient, metrics: ProxyMetrics, now: () => number = () => performance.now()): SignerClient {
  const timed = createCallTimer((method, ms, ok) => metrics.signerCall(method, ms, ok), now);
  return {
    request: (method, params) => timed(method, () => signer.request(method, params)),
    call: (method, params) => timed(method, () => signer.call(method, params)),
    close: () => signer.close(),
  };
}
