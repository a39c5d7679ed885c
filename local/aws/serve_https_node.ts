import { serve } from "@hono/node-server";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";

export type ServeHttpsOptions = {
  /** Server certificate chain and key (PEM), e.g. from `ensureLocalTls`. */
  readonly tls: { readonly certPem: string; readonly keyPem: string };
  /** Loopback address to bind. @default "127.0.0.1" */
  readonly host?: string;
  /** 0 picks a free port. @default 0 */
  readonly port?: number;
};

export type HttpsServer = {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops open (keep-alive) connections. */
  close(): Promise<void>;
};

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Serves a web-standard fetch handler over HTTPS on a loopback address (the local AWS stand-ins are never
 * reachable from another machine). Node-only.
 *
 * @example
 * ```ts
 * const server = await serveHttps(handler, { tls: { certPem, keyPem } });
 * // … server.url …
 * await server.close();
 * ```
 */
export async function serveHttps(fetch: (request: Request) => Promise<Response>, options: ServeHttpsOptions): Promise<HttpsServer> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new RangeError(`Cannot serve on ${host}: local stand-ins bind loopback only`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Invalid port: ${port}`);
  return new Promise((resolve, reject) => {
    const server = serve({
      fetch,
      hostname: host,
      port,
      createServer,
      serverOptions: { cert: options.tls.certPem, key: options.tls.keyPem, minVersion: "TLSv1.2" },
    }) as Server;
    server.once("error", reject);
    server.once("listening", () => {
      const bound = (server.address() as AddressInfo).port;
      resolve({
        url: `https://${host.includes(":") ? `[${host}]` : host}:${bound}`,
        port: bound,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
