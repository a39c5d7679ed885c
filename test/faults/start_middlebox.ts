import { createServer, connect, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/** What the middlebox does with new and existing connections. */
export type MiddleboxMode =
  | { kind: "pass" }
  /** Every byte from the client waits this long before it is forwarded (and every reply byte too). */
  | { kind: "delay"; ms: number }
  /** New connections are closed at once and open ones are cut: the service is down. */
  | { kind: "down" };

export type Middlebox = {
  readonly url: string;
  readonly port: number;
  setMode(mode: MiddleboxMode): void;
  /** Connections open through it now. */
  readonly openConnections: number;
  close(): Promise<void>;
};

/**
 * A TCP forwarder on a free loopback port in front of `target` (host:port) that can add latency or play dead,
 * to put a fault between two real parts without touching either.
 *
 * @example
 * ```ts
 * const box = await startMiddlebox("127.0.0.1:8546");
 * box.setMode({ kind: "delay", ms: 3000 });
 * ```
 */
export async function startMiddlebox(target: string, options: { protocol?: string } = {}): Promise<Middlebox> {
  const [host, port] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1))];
  let mode: MiddleboxMode = { kind: "pass" };
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    if (mode.kind === "down") return void client.destroy();
    const upstream = connect({ host, port });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    const pipe = (from: Socket, to: Socket) => {
      // Bytes keep their order when the delay changes: none is written before one that arrived earlier.
      let lastDue = 0;
      from.on("data", (chunk) => {
        const now = Date.now();
        const due = Math.max(now + (mode.kind === "delay" ? mode.ms : 0), lastDue);
        lastDue = due;
        if (due <= now) return void to.write(chunk);
        setTimeout(() => { if (!to.destroyed) to.write(chunk); }, due - now);
      });
    };
    pipe(client, upstream);
    pipe(upstream, client);
    for (const s of pair) {
      s.on("error", end);
      s.on("close", () => setTimeout(end, mode.kind === "delay" ? mode.ms : 0));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const own = (server.address() as AddressInfo).port;
  return {
    url: `${options.protocol ?? "http"}://127.0.0.1:${own}`,
    port: own,
    setMode(next) {
      mode = next;
      if (next.kind === "down") for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
    },
    get openConnections() {
      return pairs.size;
    },
    async close() {
      for (const [a, b] of pairs) { a.destroy(); b.destroy(); }
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
