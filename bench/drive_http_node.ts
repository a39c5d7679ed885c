import { Pool } from "undici";
import { percentile } from "./percentile.ts";

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
 * Latency at low load: one request at a time, `samples` times (or until `durationMs`), alternating between
 * the given targets so that noise from other processes hits each alike. Returns each target's 50th and 99th
 * percentiles in milliseconds.
 *
 * @example
 * ```ts
 * const [proxy, direct] = await httpLatency([{ url: proxyUrl, body }, { url: anvilUrl, body }], { samples: 500 });
 * ```
 */
export async function httpLatency(
  targets: readonly { url: string; body: (i: number) => string }[],
  options: { samples: number; durationMs: number; warmup?: number },
): Promise<{ p50: number; p99: number }[]> {
  const pools = targets.map((t) => new Pool(new URL(t.url).origin, { connections: 1, keepAliveTimeout: 30_000 }));
  const samples = targets.map(() => [] as number[]);
  try {
    const once1 = async (k: number, i: number) => {
      const target = targets[k]!;
      const started = performance.now();
      const response = await pools[k]!.request({ method: "POST", path: new URL(target.url).pathname, headers: { "content-type": "application/json" }, body: target.body(i) });
      const text = await response.body.text();
      const elapsed = performance.now() - started;
      const reply = JSON.parse(text) as JsonRpcReply;
      if (response.statusCode !== 200 || reply.error) throw new Error(`${target.url} answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
      return elapsed;
    };
    const warmup = options.warmup ?? 50;
    for (let i = 0; i < warmup; i++) for (let k = 0; k < targets.length; k++) await once1(k, i);
    const end = performance.now() + options.durationMs;
    for (let i = 0; i < options.samples && performance.now() < end; i++) {
      for (let k = 0; k < targets.length; k++) samples[k]!.push(await once1(k, warmup + i));
    }
    return samples.map((s) => ({ p50: percentile(s, 50), p99: percentile(s, 99) }));
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
}
