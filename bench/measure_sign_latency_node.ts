import { connect } from "node:net";
import { once } from "node:events";
import { Pool } from "undici";
import type { Hex } from "viem";
import { createFrameDecoder } from "../signer/protocol/frame.ts";
import { benchTransferParams, encodeSignRequests } from "./encode_sign_requests.ts";
import { percentile } from "./percentile.ts";

export type SignLatency = { p50: number; p99: number };

/**
 * Signing latency at low load, one request at a time, alternating between the signer directly
 * (`sign.transaction` over its Unix socket) and the rpc-proxy (`eth_signTransaction` with every field given,
 * over HTTP keep-alive), so that noise from other processes hits both alike and their difference is the
 * proxy's. Runs `samples` pairs or until `durationMs`, after `warmup` pairs. Throws on any failed answer.
 *
 * @example
 * ```ts
 * const { signer, proxy } = await measureSignLatency({ socketPath, proxyUrl, account, samples: 2000, durationMs: 4000 });
 * ```
 */
export async function measureSignLatency(options: {
  socketPath: string;
  proxyUrl: string;
  account: Hex;
  samples: number;
  durationMs: number;
  warmup?: number;
}): Promise<{ signer: SignLatency; proxy: SignLatency }> {
  const frames = encodeSignRequests(options.account, 256);
  const socket = connect({ path: options.socketPath });
  await once(socket, "connect");
  const decoder = createFrameDecoder();
  let waiting: ((reply: unknown) => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    for (const message of decoder.push(chunk)) waiting?.(message);
  });
  const target = new URL(options.proxyUrl);
  const pool = new Pool(target.origin, { connections: 1, keepAliveTimeout: 30_000 });
  const direct = (i: number) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("signer did not answer within 10 s")), 10_000);
    waiting = (reply) => {
      clearTimeout(timer);
      const raw = (reply as { result?: { raw?: unknown } }).result?.raw;
      if (typeof raw === "string") resolve();
      else reject(new Error(`signer answered ${JSON.stringify(reply)}`));
    };
    socket.write(frames[i % 256]!);
  });
  const viaProxy = async (i: number) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_signTransaction", params: [{ from: options.account, ...benchTransferParams(i) }] });
    const response = await pool.request({ method: "POST", path: target.pathname, headers: { "content-type": "application/json" }, body });
    const text = await response.body.text();
    if (response.statusCode !== 200 || !text.includes('"result":"0x')) throw new Error(`proxy answered HTTP ${response.statusCode}: ${text.slice(0, 200)}`);
  };
  const timed = async (fn: () => Promise<void>) => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  try {
    const signer: number[] = [];
    const proxy: number[] = [];
    const warmup = options.warmup ?? 100;
    for (let i = 0; i < warmup; i++) {
      await direct(i);
      await viaProxy(i);
    }
    const end = performance.now() + options.durationMs;
    for (let i = 0; i < options.samples && performance.now() < end; i++) {
      // Alternate which goes first, so neither always follows the other's idle gap.
      if (i % 2 === 0) {
        signer.push(await timed(() => direct(i)));
        proxy.push(await timed(() => viaProxy(i)));
      } else {
        proxy.push(await timed(() => viaProxy(i)));
        signer.push(await timed(() => direct(i)));
      }
    }
    return {
      signer: { p50: percentile(signer, 50), p99: percentile(signer, 99) },
      proxy: { p50: percentile(proxy, 50), p99: percentile(proxy, 99) },
    };
  } finally {
    socket.destroy();
    await pool.close();
  }
}
