import { RpcCode } from "./rpc_error.ts";
import type { RpcErrorObject } from "./to_rpc_error.ts";

/** The outcome of one JSON-RPC entry as a short, bounded label for metrics and logs. */
export type RpcOutcomeLabel =
  | "ok"
  | "invalid_request"
  | "method_not_found"
  | "invalid_params"
  | "unauthorized"
  | "unsupported"
  | "policy_refused"
  | "internal_error"
  | "node_error";

/**
 * Classifies an entry's error by its code: the JSON-RPC 2.0 codes, EIP-1193's 4100/4200, the proxy's policy
 * code; any other code came from the node (e.g. 3 "execution reverted", -32000 "nonce too low").
 *
 * @example
 * ```ts
 * rpcOutcomeLabel({ code: -32602, message: "…" }); // "invalid_params"
 * ```
 */
export function rpcOutcomeLabel(error: RpcErrorObject | undefined): RpcOutcomeLabel {
  if (!error) return "ok";
  switch (error.code) {
    case RpcCode.parseError:
    case RpcCode.invalidRequest:
      return "invalid_request";
    case RpcCode.methodNotFound:
      return "method_not_found";
    case RpcCode.invalidParams:
      return "invalid_params";
    case RpcCode.unauthorized:
      return "unauthorized";
    case RpcCode.unsupported:
      return "unsupported";
    case RpcCode.policyRefused:
      return "policy_refused";
    case RpcCode.internal:
      return "internal_error";
    default:
      return "node_error";
  }
}
