import { rpcOutcomeLabel } from "../jsonrpc/rpc_outcome_label.ts";
import type { RpcOutcome } from "../jsonrpc/handle_rpc_body.ts";
import type { HttpRejectionReason } from "../metrics/create_proxy_metrics.ts";

export type RequestLogger = {
  /** One JSON-RPC entry finished. */
  rpc(outcome: RpcOutcome, keyName: string | undefined): void;
  /** An HTTP request was refused before JSON-RPC handling. */
  rejected(status: number, outcome: HttpRejectionReason, durationMs: number): void;
};

/**
 * One structured JSON line per request (per batch entry) to `write`: time, method, id, account, outcome, error
 * code, duration and the API key's name. Never params, results, signatures, raw transactions, keys or
 * credentials: nothing a handler sees goes into a line except the account address it resolved.
 *
 * @example
 * ```ts
 * const logger = createRequestLogger((line) => console.error(line));
 * // {"time":"…","service":"rpc-proxy","event":"rpc","method":"eth_sendTransaction","account":"0x…","outcome":"ok","durationMs":12.3}
 * ```
 */
export function createRequestLogger(write: (line: string) => void, clock: () => Date = () => new Date()): RequestLogger {
  return {
    rpc(outcome, keyName) {
      const { request, error } = outcome;
      const id = request?.id;
      write(JSON.stringify({
        time: clock().toISOString(),
        service: "rpc-proxy",
        event: "rpc",
        method: request ? request.method.slice(0, 64) : null,
        id: typeof id === "string" ? id.slice(0, 64) : id ?? null,
        ...(request && !("id" in request) ? { notification: true } : {}),
        ...(outcome.entry.account ? { account: outcome.entry.account } : {}),
        outcome: rpcOutcomeLabel(error),
        ...(error ? { code: error.code } : {}),
        durationMs: Math.round(outcome.durationMs * 10) / 10,
        ...(outcome.batchSize > 1 ? { batchSize: outcome.batchSize } : {}),
        ...(keyName ? { apiKey: keyName } : {}),
      }));
    },
    rejected(status, outcome, durationMs) {
      write(JSON.stringify({
        time: clock().toISOString(),
        service: "rpc-proxy",
        event: "http",
        status,
        outcome,
        durationMs: Math.round(durationMs * 10) / 10,
      }));
    },
  };
}
