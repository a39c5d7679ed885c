import { connect } from "node:net";
import type { Duplex } from "node:stream";

/**
 * The Node stream opener for `createKmsClient({ connect })`: a TCP connection to the vsock-proxy stand-in (the
 * local stack and tests; production uses `kmsConnectDeno` over vsock). TLS runs on top of it in the client.
 *
 * @example
 * ```ts
 * const kms = createKmsClient({ region, credentials, connect: kmsConnectNode({ host: "127.0.0.1", port: proxy.port }) });
 * ```
 */
export function kmsConnectNode(options: { readonly host: string; readonly port: number; readonly timeoutMs?: number }): () => Promise<Duplex> {
  if (typeof options.host !== "string" || options.host === "") throw new TypeError("host must be a host name or address");
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) throw new RangeError(`Invalid port: ${options.port}`);
  const timeoutMs = options.timeoutMs ?? 10_000;
  return () =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => socket.destroy(new Error(`Cannot connect to ${options.host}:${options.port}: timed out`)), timeoutMs);
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeListener("error", reject);
        resolve(socket);
      });
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
}
