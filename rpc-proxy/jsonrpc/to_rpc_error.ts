import { BaseError, ErrorCode } from "../../signer/mod.ts";
import { FleetStateCode } from "../fleet/fleet_state_errors.ts";
import { RpcCode, RpcError, UpstreamRpcError } from "./rpc_error.ts";

export type RpcErrorObject = { code: number; message: string; data?: unknown };

/** Signer error codes (signer/protocol/error_codes.ts) whose message and data are safe and useful to clients. */
const SIGNER_CODES: Record<string, number> = {
  [ErrorCode.invalidParams]: RpcCode.invalidParams,
  [ErrorCode.missingChainId]: RpcCode.invalidParams,
  [ErrorCode.unknownAccount]: RpcCode.unauthorized,
  [ErrorCode.policyRefused]: RpcCode.policyRefused,
  [ErrorCode.unknownMethod]: RpcCode.unsupported,
  /** The request would not fit in one frame to the signer (1 MiB). */
  [ErrorCode.frameTooLarge]: RpcCode.invalidParams,
};

/**
 * The one mapping from any error to a JSON-RPC error object (STYLE rule 6). Our own errors keep their
 * message; the node's errors pass through untouched; signer errors map by their stable code (policy refusals
 * to -32050 with `data.reason`); the signer or node being unreachable is -32603 with a short reason; anything
 * else is -32603 "Internal error" with no detail, so nothing secret can leak.
 *
 * @example
 * ```ts
 * return { jsonrpc: "2.0", id, error: toRpcError(error) };
 * ```
 */
export function toRpcError(error: unknown): RpcErrorObject {
  if (error instanceof RpcError) return withData({ code: error.rpcCode, message: error.shortMessage }, error.data);
  if (error instanceof UpstreamRpcError) return error.error;
  if (error instanceof BaseError) {
    if (error.code === ErrorCode.unavailable) return { code: RpcCode.internal, message: `Signer unavailable: ${error.shortMessage}` };
    const code = SIGNER_CODES[error.code];
    if (code !== undefined) return withData({ code, message: error.shortMessage }, error.data);
    if (error.code.startsWith("UPSTREAM")) return { code: RpcCode.internal, message: error.shortMessage };
    if (error.code === ErrorCode.attestation) return { code: RpcCode.internal, message: "Attestation failed" };
    // The fleet's state (docs/fleet-state.md): nothing was signed or leased; the message names the table, and the
    // window records (bytes) in the signer's data never reach the client.
    if (error.code === FleetStateCode.unavailable || error.code === FleetStateCode.busy) return { code: RpcCode.internal, message: error.shortMessage };
    if (error.code === ErrorCode.windowStateInvalid) return { code: RpcCode.internal, message: `Window state refused by the signer: ${error.shortMessage}` };
    if (error.code === ErrorCode.windowStateStale || error.code === ErrorCode.windowStateRequired) {
      return { code: RpcCode.internal, message: `Window state not accepted by the signer: ${error.shortMessage}` };
    }
  }
  return { code: RpcCode.internal, message: "Internal error" };
}

function withData(error: RpcErrorObject, data: unknown): RpcErrorObject {
  return data === undefined ? error : { ...error, data };
}
