import { Pool } from "undici";
import { BaseError } from "../../signer/protocol/base_error.ts";
import { UpstreamRpcError } from "../jsonrpc/rpc_error.ts";

/** The node could not be reached or answered with something that is not JSON-RPC. */
export class UpstreamUnavailableError extends BaseError {
  override readonly name = "RpcProxy.UpstreamUnavailableError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("UPSTREAM_UNAVAILABLE", message, options);
  }
}

export type Upstream = {
  /** Calls one method; resolves with its result, or throws UpstreamRpcError with the node's error object. */
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /** Sends a JSON-RPC body as is and returns the node's reply text (passthrough). */
  forward(body: string): Promise<string>;
  /** The URL with credentials removed, safe for logs and messages. */
  readonly displayUrl: string;
  close(): Promise<void>;
};

export type CreateUpstreamOptions = {
  /** Keep-alive connections to the node. @default 64 */
  connections?: number;
  /** @default 30000 */
  timeoutMs?: number;
};

/**
 * A JSON-RPC client for the Ethereum node over a keep-alive undici pool. Credentials in the URL (user:pass or
 * an API key in the path or query) are sent but never appear in errors or logs.
 *
 * @example
 * ```ts
 * const upstream = createUpstream("http://127.0.0.1:8546");
 * const chainId = await upstream.request<string>("eth_chainId");
 * ```
 */
export function createUpstream(url: string, options: CreateUpstreamOptions = {}): Upstream {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    throw new TypeError(`Cannot use upstream ${target.protocol}: expected http: or https:`);
  }
  const displayUrl = `${target.protocol}//${target.host}`;
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (target.username || target.password) {
    headers.authorization = `Basic ${btoa(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`)}`;
  }
  const path = `${target.pathname}${target.search}`;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const pool = new Pool(target.origin, {
    connections: options.connections ?? 64,
    keepAliveTimeout: 30_000,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  let nextId = 1;

  const forward = async (body: string): Promise<string> => {
    let response;
    try {
      response = await pool.request({ method: "POST", path, headers, body });
    } catch (cause) {
      throw new UpstreamUnavailableError(`Cannot reach the node at ${displayUrl}`, { cause });
    }
    const text = await response.body.text();
    if (response.statusCode >= 500 || (response.statusCode >= 300 && !text.startsWith("{") && !text.startsWith("["))) {
      throw new UpstreamUnavailableError(`The node at ${displayUrl} answered HTTP ${response.statusCode}`);
    }
    return text;
  };

  return {
    displayUrl,
    forward,
    async request<T>(method: string, params: unknown[] = []): Promise<T> {
      const text = await forward(JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }));
      let reply: { result?: T; error?: { code: number; message: string; data?: unknown } };
      try {
        reply = JSON.parse(text);
      } catch (cause) {
        throw new UpstreamUnavailableError(`The node at ${displayUrl} answered ${method} with invalid JSON`, { cause });
      }
      if (reply.error) throw new UpstreamRpcError(reply.error);
      return reply.result as T;
    },
    close: () => pool.close(),
  };
}
