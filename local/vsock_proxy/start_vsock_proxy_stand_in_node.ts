import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

export type VsockProxyAllowlistEntry = { readonly address: string; readonly port: number };

export type StartVsockProxyStandInOptions = {
  /** Where connections go: the KMS endpoint (locally, the KMS stand-in's host). */
  readonly remoteHost: string;
  readonly remotePort: number;
  /**
   * The `allowlist` of vsock-proxy's configuration file; the remote must be one of its entries, or the proxy
   * refuses to start — the rule of AWS's vsock-proxy (aws-nitro-enclaves-cli, `vsock_proxy`: "The given
   * remote address and port are not in the allowlist").
   */
  readonly allowlist: readonly VsockProxyAllowlistEntry[];
  /** Loopback address to listen on, standing in for the parent's vsock port 8000. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
};

export type VsockProxyStandIn = {
  /** `tcp://127.0.0.1:<port>` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops listening and cuts open connections. */
  close(): Promise<void>;
};

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Starts the vsock-proxy stand-in: a TCP forwarder from a loopback port to exactly one remote, which must be in
 * the allowlist (DESIGN §8). It copies bytes and nothing else: the TLS session inside is between the signer and
 * KMS, so the proxy (like the parent instance) sees only ciphertext. Node-only.
 *
 * @example
 * ```ts
 * const proxy = await startVsockProxyStandIn({ remoteHost: "127.0.0.1", remotePort: kms.port,
 *   allowlist: [{ address: "127.0.0.1", port: kms.port }] });
 * // the signer connects to proxy.port and runs TLS for kms.<region>.amazonaws.com over it
 * await proxy.close();
 * ```
 */
export async function startVsockProxyStandIn(options: StartVsockProxyStandInOptions): Promise<VsockProxyStandIn> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new RangeError(`Cannot listen on ${host}: the vsock-proxy stand-in binds loopback only`);
  if (typeof options.remoteHost !== "string" || options.remoteHost === "") throw new TypeError("remoteHost must be a host name or address");
  checkPort(options.remotePort, "remotePort");
  if (!Array.isArray(options.allowlist)) throw new TypeError("allowlist must be a list of { address, port }");
  const allowed = options.allowlist.some(
    (entry) => entry.address.toLowerCase() === options.remoteHost.toLowerCase() && entry.port === options.remotePort,
  );
  if (!allowed) {
    throw new Error(`Cannot start vsock-proxy: the given remote address and port (${options.remoteHost}:${options.remotePort}) are not in the allowlist`);
  }

  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const server = createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    const upstream = connect({ host: options.remoteHost, port: options.remotePort });
    track(upstream);
    const fail = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", fail);
    upstream.on("error", fail);
    upstream.once("connect", () => {
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `tcp://${host.includes(":") ? `[${host}]` : host}:${port}`,
        host,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
          }),
      });
    });
  });
}

function checkPort(port: number, name: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RangeError(`Invalid ${name}: ${port}`);
}
