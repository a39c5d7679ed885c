import type { SignerClient } from "../../signer/protocol/create_signer_client.ts";
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
  const timed = async <T>(method: string, call: () => Promise<T>): Promise<T> => {
    const started = now();
    try {
      const result = await call();
      metrics.signerCall(method, now() - started, true);
      return result;
    } catch (error) {
      metrics.signerCall(method, now() - started, false);
      throw error;
    }
  };
  return {
    request: (method, params) => timed(method, () => signer.request(method, params)),
    call: (method, params) => timed(method, () => signer.call(method, params)),
    close: () => signer.close(),
  };
}
