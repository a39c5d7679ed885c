import { BaseError } from "../../signer/mod.ts";

/** JSON-RPC 2.0, EIP-1193 and the proxy's own error codes (DESIGN §7). Stable: never renumber one. */
export const RpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /**
   * The signer's policy refused a well-formed request (e.g. typed data for another chain); `data.reason` says
   * why. In the JSON-RPC 2.0 server-error range (-32000…-32099), clear of the codes nodes and EIP-1474 use.
   */
  policyRefused: -32050,
  /** EIP-1193: the requested account or method has not been authorized (not held, or not allowed to this API key). */
  unauthorized: 4100,
  /** EIP-1193: the method is not supported. */
  unsupported: 4200,
} as const;

/** An error that becomes a JSON-RPC error object as is: `code`, `message` and optional `data`. */
export class RpcError extends BaseError {
  override readonly name = "RpcProxy.RpcError";
  readonly rpcCode: number;
  constructor(rpcCode: number, message: string, options: { data?: unknown; cause?: unknown } = {}) {
    super(`RPC_${rpcCode}`, message, options);
    this.rpcCode = rpcCode;
  }
}

/**
 * -32602 "Invalid params: <reason>", for a request the proxy refuses before the signer sees it. A reason about one
 * field of the caller's names it (or use `InvalidParamsError` from the signer's params parsers, which does).
 *
 * @example
 * ```ts
 * throw invalidParams("give blobs, commitments and proofs together");
 * ```
 */
export function invalidParams(reason: string): RpcError {
  return new RpcError(RpcCode.invalidParams, `Invalid params: ${reason}`);
}

/** The upstream node answered with a JSON-RPC error; it is returned to the client as the node gave it. */
export class UpstreamRpcError extends BaseError {
  override readonly name = "RpcProxy.UpstreamRpcError";
  constructor(readonly error: { code: number; message: string; data?: unknown }) {
    super("UPSTREAM_ERROR", error.message, { data: error.data });
  }
}
