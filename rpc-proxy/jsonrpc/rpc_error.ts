import { BaseError } from "../../signer/protocol/base_error.ts";

/** JSON-RPC 2.0 and EIP-1193 error codes used by the proxy (DESIGN §7). */
export const RpcCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  /** EIP-1193: the requested account has not been authorized (the signer does not hold it). */
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

/** The upstream node answered with a JSON-RPC error; it is returned to the client as the node gave it. */
export class UpstreamRpcError extends BaseError {
  override readonly name = "RpcProxy.UpstreamRpcError";
  constructor(readonly error: { code: number; message: string; data?: unknown }) {
    super("UPSTREAM_ERROR", error.message, { data: error.data });
  }
}
