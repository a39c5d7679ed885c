import { Pool } from "undici";
import { BaseError } from "../../signer/mod.ts";
import { UpstreamRpcError } from "../jsonrpc/rpc_error.ts";

/** The node could not be reached or answered with something that is not JSON-RPC. */
export class UpstreamUnavailableError extends BaseError {
  override readonly name = "RpcProxy.UpstreamUnavailableError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super("UPSTREAM_UNAVAILABLE", message, options);
  }
}

/** One call of a batch, and how it ended. */
export type UpstreamCall = readonly [method: string, params: unknown[]];
export type UpstreamOutcome = { ok: true; result: unknown } | { ok: false; error: UpstreamRpcError | UpstreamUnavailableError };

export type Upstream = {
  /** Calls one method; resolves with its result, or throws UpstreamRpcError with the node's error object. */
  request<T = unknown>(method: string, params?: unknown[]): Promise<T>;
  /**
   * Sends the calls as one JSON-RPC batch (one HTTP request) and settles each on its own, in order; when the
   * node cannot be reached every outcome is that UpstreamUnavailableError.
   */
  batch(calls: readonly UpstreamCall[]): Promise<UpstreamOutcome[]>;
  /** Sends a JSON-RPC body as is and returns the node's reply text (passthrough). */
  forward(body: string): Promise<string>;
  /** The URL with credentials removed, safe for logs and messages. */
  readonly displayUrl: string;
  close(): Promise<void>;
};

type Reply = { id?: unknown; result?: unknown; error?: { code: number; message: string; data?: unknown } };

export type CreateUpstreamOptions = {
  /** Keep-alive connections to the node. @default 64 */
  connections?: number;
  /** @default 30000 */
  timeoutMs?: number;
  /** false: `batch` sends each call as its own request, in order (for a node that refuses batches). @default true */
  batches?: boolean;
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
    let text;
    try {
      response = await pool.request({ method: "POST", path, headers, body });
      text = await response.body.text(); // the node may still drop the connection or time out here
    } catch (cause) {
      throw new UpstreamUnavailableError(`Cannot reach the node at ${displayUrl}`, { cause });
    }
    if (response.statusCode >= 500 || (response.statusCode >= 300 && !text.startsWith("{") && !text.startsWith("["))) {
      throw new UpstreamUnavailableError(`The node at ${displayUrl} answered HTTP ${response.statusCode}`);
    }
    return text;
  };

  const outcome = (reply: Reply | undefined, method: string): UpstreamOutcome => {
    if (reply === null || typeof reply !== "object" || (reply.error === undefined && !("result" in reply))) {
      return { ok: false, error: new UpstreamUnavailableError(`The node at ${displayUrl} gave no valid answer to ${method}`) };
    }
    return reply.error ? { ok: false, error: new UpstreamRpcError(reply.error) } : { ok: true, result: reply.result };
  };

  const parse = (text: string, what: string): Reply => {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new UpstreamUnavailableError(`The node at ${displayUrl} answered ${what} with invalid JSON`, { cause });
    }
  };

  const request = async <T>(method: string, params: unknown[] = []): Promise<T> => {
    const text = await forward(JSON.stringify({ jsonrpc: "2.0", id: nextId++, method, params }));
    const settled = outcome(parse(text, method), method);
    if (!settled.ok) throw settled.error;
    return settled.result as T;
  };

  return {
    displayUrl,
    forward,
    request,
    async batch(calls) {
      if (calls.length === 0) return [];
      if (options.batches === false) {
        // One after the other, in order, as a node takes a batch: a group's broadcasts then arrive in nonce order.
        const outcomes: UpstreamOutcome[] = [];
        for (const [method, params] of calls) {
          outcomes.push(await request(method, params).then(
            (result): UpstreamOutcome => ({ ok: true, result }),
            (error): UpstreamOutcome => ({ ok: false, error }),
          ));
        }
        return outcomes;
      }
      const first = nextId;
      nextId += calls.length;
      const body = JSON.stringify(calls.map(([method, params], i) => ({ jsonrpc: "2.0", id: first + i, method, params })));
      let replies: Reply | Reply[];
      try {
        replies = parse(await forward(body), "a batch");
      } catch (error) {
        return calls.map(() => ({ ok: false, error: error as UpstreamUnavailableError }));
      }
      // A node answers a batch with an array in any order; some answer a batch they refuse with one error object.
      if (!Array.isArray(replies)) {
        const error = replies?.error ? new UpstreamRpcError(replies.error) : new UpstreamUnavailableError(`The node at ${displayUrl} did not answer a batch with an array`);
        return calls.map(() => ({ ok: false, error }));
      }
      const byId = new Map<unknown, Reply>();
      for (const reply of replies as Reply[]) if (reply && typeof reply === "object") byId.set(reply.id, reply);
      return calls.map(([method], i) => outcome(byId.get(first + i), method));
    },
    close: () => pool.close(),
  };
}
