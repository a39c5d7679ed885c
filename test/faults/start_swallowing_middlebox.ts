import { Agent, createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { keccak256, type Hex } from "viem";

export type SwallowingMiddlebox = {
  /** Plain HTTP on loopback: the node's URL as the proxy sees it. */
  readonly url: string;
  /** Acknowledges the next `count` broadcasts without forwarding them (then forwards again). */
  swallow(count: number): void;
  /** Broadcasts acknowledged and swallowed so far. */
  readonly swallowed: number;
  close(): Promise<void>;
};

type Call = { jsonrpc?: string; id?: unknown; method?: unknown; params?: unknown };

/**
 * An HTTP forwarder in front of a JSON-RPC node that can acknowledge a broadcast and then lose it, as a node
 * that evicts a transaction after accepting it does: while `swallow(n)` has budget left, a request made only of
 * `eth_sendRawTransaction` calls (one, or a batch) is answered with each transaction's hash (keccak-256 of the
 * raw bytes, what the node answers) and never reaches the node. Every other request is forwarded as it is; when
 * the node cannot be reached the client's connection is cut, as the node's own refusal would.
 *
 * @example
 * ```ts
 * const box = await startSwallowingMiddlebox(anvilUrl);
 * box.swallow(20);
 * ```
 */
export async function startSwallowingMiddlebox(targetUrl: string): Promise<SwallowingMiddlebox> {
  const target = new URL(targetUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  let budget = 0;
  let swallowed = 0;
  const forward = (req: IncomingMessage, body: Buffer, res: import("node:http").ServerResponse) => {
    const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent }, (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.headers);
      reply.pipe(res);
    });
    out.on("error", () => res.socket?.destroy());
    out.end(body);
  };
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return void res.socket?.destroy();
    }
    const body = Buffer.concat(chunks);
    if (budget > 0) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch { /* not JSON: forwarded */ }
      const calls = (Array.isArray(parsed) ? parsed : [parsed]) as Call[];
      const raws = calls.map((c) => (c?.method === "eth_sendRawTransaction" && Array.isArray(c.params) && typeof c.params[0] === "string" ? (c.params[0] as Hex) : undefined));
      if (calls.length > 0 && raws.every((raw) => raw !== undefined)) {
        budget = Math.max(0, budget - calls.length);
        swallowed += calls.length;
        const replies = calls.map((c, i) => ({ jsonrpc: "2.0", id: c.id ?? null, result: keccak256(raws[i]!) }));
        res.writeHead(200, { "content-type": "application/json" });
        return void res.end(JSON.stringify(Array.isArray(parsed) ? replies : replies[0]));
      }
    }
    forward(req, body, res);
  });
  // The proxy keeps connections to "the node" open; never close one under it between requests.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    swallow: (count) => void (budget = count),
    get swallowed() {
      return swallowed;
    },
    async close() {
      server.closeAllConnections();
      agent.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
