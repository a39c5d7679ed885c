import { connect } from "node:net";
import { once } from "node:events";
import type { Hex } from "viem";
import { createFrameDecoder } from "../signer/mod.ts";
import { httpLatencyCall } from "./drive_http_node.ts";
import { benchTransferParams, encodeSignRequests } from "./encode_sign_requests.ts";
import { pairedLatency, type Latency, type PairedLatencyOptions } from "./paired_latency.ts";

/**
 * Signing latency at low load, one request at a time: the signer directly (`sign.transaction` over its Unix
 * socket) paired with each of `proxyUrls` (`eth_signTransaction` with every field given, over HTTP
 * keep-alive), request by request (see `pairedLatency`), so the difference within a pair is that proxy's.
 * Returns one `{ signer, proxy }` per URL, in order. Throws on any failed answer.
 *
 * @example
 * ```ts
 * const [{ signer, proxy }] = await measureSignLatency({ socketPath, proxyUrls: [url], account, samples: 2000, durationMs: 4000 });
 * ```
 */
export async function measureSignLatency(options: PairedLatencyOptions & {
  socketPath: string;
  proxyUrls: readonly string[];
  account: Hex;
}): Promise<{ signer: Latency; proxy: Latency }[]> {
  const frames = encodeSignRequests(options.account, 256);
  const socket = connect({ path: options.socketPath });
  await once(socket, "connect");
  const decoder = createFrameDecoder();
  let waiting: ((reply: unknown) => void) | undefined;
  socket.on("data", (chunk: Buffer) => {
    for (const message of decoder.push(chunk)) waiting?.(message);
  });
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
  const body = (i: number) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_signTransaction", params: [{ from: options.account, ...benchTransferParams(i) }] });
  const proxies = options.proxyUrls.map((url) => httpLatencyCall(url, body));
  try {
    const measured = await pairedLatency(proxies.map((p) => [p.call, direct] as const), options);
    return measured.map(([proxy, signer]) => ({ signer, proxy }));
  } finally {
    socket.destroy();
    await Promise.all(proxies.map((p) => p.close()));
  }
}
