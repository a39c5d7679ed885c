import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { LOCAL_INSTANCE_ROLE_ARN, type LocalCredential } from "../aws/local_credential.ts";
import { createImdsHandler, type CreateImdsHandlerOptions, type ImdsHandler } from "./create_imds_handler.ts";

export type StartImdsStandInOptions = CreateImdsHandlerOptions & {
  /** Loopback address. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
};

export type ImdsStandIn = Omit<ImdsHandler, "fetch"> & {
  /** `http://127.0.0.1:<port>`: the IMDS endpoint to give the host-agent (`--imds-endpoint`). */
  readonly url: string;
  /**
   * The issued credentials as the other local stand-ins accept them (the instance role's principal), so that
   * `startSecretsManagerStandIn({ credentials: () => imds.acceptedCredentials() })` trusts what IMDS hands out.
   */
  acceptedCredentials(): LocalCredential[];
  close(): Promise<void>;
};

const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Serves the IMDSv2 stand-in (`createImdsHandler`) over plain HTTP on loopback, as the real IMDS is plain HTTP
 * on a link-local address. Node-only.
 *
 * @example
 * ```ts
 * const imds = await startImdsStandIn({ region: "us-east-1" });
 * // host-agent daemon --imds-endpoint imds.url …
 * await imds.close();
 * ```
 */
export async function startImdsStandIn(options: StartImdsStandInOptions = {}): Promise<ImdsStandIn> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new RangeError(`Cannot serve IMDS on ${host}: local stand-ins bind loopback only`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Invalid port: ${port}`);
  const handler = createImdsHandler(options);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: handler.fetch, hostname: host, port }, () => resolve(s));
    s.once("error", reject);
  });
  const bound = (server.address() as AddressInfo).port;
  const { fetch: _fetch, ...controls } = handler;
  return {
    ...controls,
    url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    acceptedCredentials: () =>
      handler.issued().map((c) => ({
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        sessionToken: c.sessionToken,
        expiration: c.expiration,
        principalArn: LOCAL_INSTANCE_ROLE_ARN,
      })),
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
