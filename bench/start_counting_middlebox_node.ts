import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

export type CountingMiddlebox = {
  /** The middlebox's JSON-RPC URL: point a client (the proxy, viem, ethers) here instead of at the node. */
  readonly url: string;
  /** JSON-RPC calls forwarded since the last reset, batch entries counted one by one, by method. */
  counts(): Record<string, number>;
  /** The sum of `counts()`. */
  total(): number;
  reset(): void;
  close(): Promise<void>;
};

/**
 * A counting JSON-RPC middlebox in front of a node (issue 14): forwards every POST body as is over keep-alive
 * connections and counts the calls in it, a batch's entries one by one, so the proxy's node calls per send and
 * a client library's are measured the same way. On loopback and a free port.
 *
 * @example
 * ```ts
 * const box = await startCountingMiddlebox(anvilUrl);
 * box.reset(); await run(box.url); const perSend = box.total() / sends;
 * await box.close();
 * ```
 */
export async function startCountingMiddlebox(nodeUrl: string): Promise<CountingMiddlebox> {
  const target = new URL(nodeUrl);
  const pool = new Pool(target.origin, { connections: 64, keepAliveTimeout: 30_000 });
  let counts: Record<string, number> = {};
  const count = (entry: unknown) => {
    const method = entry && typeof entry === "object" && typeof (entry as { method?: unknown }).method === "string" ? (entry as { method: string }).method : "(invalid)";
    counts[method] = (counts[method] ?? 0) + 1;
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        const parsed = JSON.parse(body) as unknown;
        for (const entry of Array.isArray(parsed) ? parsed : [parsed]) count(entry);
      } catch {
        count(undefined);
      }
      try {
        const reply = await pool.request({ method: "POST", path: `${target.pathname}${target.search}`, headers: { "content-type": "application/json" }, body });
        const text = await reply.body.text();
        res.writeHead(reply.statusCode, { "content-type": "application/json" });
        res.end(text);
      } catch (error) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(error instanceof Error ? error.message : String(error));
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => void (counts = {}),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.close();
    },
  };
}
