import { Pool } from "undici";
import type { LatencyCall } from "./paired_latency.ts";

export type JsonRpcReply = { id?: unknown; result?: unknown; error?: { code: number; message: string } };

export type HttpLoadOptions = {
  /** Concurrent clients, each with its own keep-alive connection and one request at a time. */
  clients: number;
  /** The body of request number `i` (0-based), as JSON text. */
  body: (i: number) => string;
  /** Stop after this many requests in all… */
  count?: number;
  /** …or after this long (after `warmupMs`, not counted). */
  durationMs?: number;
  warmupMs?: number;
};

export type HttpLoadResult = {
  perSecond: number;
  /** Replies of the counted requests, by request number. */
  replies: Map<number, JsonRpcReply>;
};

/**
 * A JSON-RPC load generator: `clients` concurrent callers over keep-alive connections (undici), each sending
 * its next request when the previous one is answered, for a fixed `count` of requests or for `durationMs`.
 * Throws on an HTTP or JSON-RPC error (the harness measures only correct answers).
 *
 * @example
 * ```ts
 * const { perSecond } = await driveHttp(url, { clients: 32, count: 2000, body: (i) => JSON.stringify({ … }) });
 * ```
 */
export async function driveHttp(url: string, options: HttpLoadOptions): Promise<HttpLoadResult> {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: options.clients, pipelining: 1, keepAliveTimeout: 30_000 });
  const replies = new Map<number, JsonRpcReply>();
  let next = 0;
  try {
    const call = async (i: number) => {
      const response = await pool.request({ method: "POST", path: target.pathname, headers: { "content-type": "application/json" }, body: options.body(i) });
      const text = await response.body.text();
      if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
      const reply = JSON.parse(text) as JsonRpcReply;
      if (reply.error) throw new Error(`JSON-RPC error ${reply.error.code}: ${reply.error.message}`);
      return reply;
    };
    if (options.warmupMs) {
      const end = performance.now() + options.warmupMs;
      await Promise.all(Array.from({ length: options.clients }, async () => {
        while (performance.now() < end) await call(next++);
      }));
    }
    const first = next;
    const started = performance.now();
    const end = options.durationMs === undefined ? Infinity : started + options.durationMs;
    const last = options.count === undefined ? Infinity : first + options.count;
    if (end === Infinity && last === Infinity) throw new TypeError("driveHttp needs a count or a duration");
    await Promise.all(Array.from({ length: options.clients }, async () => {
      while (performance.now() < end && next < last) {
        const i = next++;
        replies.set(i - first, await call(i));
      }
    }));
    return { perSecond: replies.size / ((performance.now() - started) / 1000), replies };
  } finally {
    await pool.close();
  }
}

/**
 * A latency call (see `pairedLatency`) that posts `body(i)` to `url` over its own keep-alive connection and
 * throws unless the answer is HTTP 200 with a JSON-RPC result. Close it when done.
 *
 * @example
 * ```ts
 * const proxy = httpLatencyCall(proxyUrl, (i) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_blockNumber" }));
 * const [[viaProxy, direct]] = await pairedLatency([[proxy.call, anvil.call]], { samples: 2000, durationMs: 5000 });
 * await proxy.close();
 * ```
 */
export function httpLatencyCall(url: string, body: (i: number) => string): { call: LatencyCall; close(): Promise<void> } {
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: 1, keepAliveTimeout: 30_000 });
  return {
    async call(i) {
      const response = await pool.request({ method: "POST", path: target.pathname, headers: { "content-type": "application/json" }, body: body(i) });
      const text = await response.body.text();
      if (response.statusCode !== 200 || !text.includes('"result":')) throw new Error(`${url} answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
    },
    close: () => pool.close(),
  };
}
