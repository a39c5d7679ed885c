import { Duplex } from "node:stream";

export type KmsConnectDenoOptions =
  /** Production: the parent's vsock-proxy, CID 3 (the parent), port 8000 by convention. Needs `--unstable-vsock`. */
  | { readonly transport: "vsock"; readonly cid: number; readonly port: number }
  /** Local stack: the vsock-proxy stand-in on TCP. */
  | { readonly transport: "tcp"; readonly hostname: string; readonly port: number };

/**
 * The Deno stream opener for `createKmsClient({ connect })` (DESIGN §3, §6): opens a `Deno.Conn` (vsock in the
 * enclave, TCP locally) and wraps it as a Node `Duplex`, which `node:tls` accepts as `socket` —
 * `Deno.startTls` does not accept vsock connections. TLS to KMS then runs inside the signer.
 *
 * @example
 * ```ts
 * const kms = createKmsClient({ region, credentialsProvider,
 *   connect: kmsConnectDeno({ transport: "vsock", cid: 3, port: 8000 }) });
 * ```
 */
export function kmsConnectDeno(options: KmsConnectDenoOptions): () => Promise<Duplex> {
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 0xffffffff) throw new RangeError(`Invalid port: ${options.port}`);
  if (options.transport === "vsock") {
    if (!Number.isInteger(options.cid) || options.cid < 0) throw new RangeError(`Invalid vsock CID: ${options.cid}`);
    const { cid, port } = options;
    return async () => duplexFromDenoConn(await Deno.connect({ transport: "vsock", cid, port }));
  }
  if (options.transport === "tcp") {
    const { hostname, port } = options;
    return async () => duplexFromDenoConn(await Deno.connect({ transport: "tcp", hostname, port }));
  }
  throw new TypeError(`Unknown transport ${(options as { transport: unknown }).transport}`);
}

/**
 * Wraps a `Deno.Conn` as a Node `Duplex`: reads are pulled from the connection with back-pressure, writes are
 * written in full, `end()` half-closes (closeWrite) and destroy closes the connection.
 *
 * @example
 * ```ts
 * const socket = tls.connect({ socket: duplexFromDenoConn(await Deno.connect({ hostname, port })), servername });
 * ```
 */
export function duplexFromDenoConn(conn: Deno.Conn): Duplex {
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    try {
      conn.close();
    } catch {
      // already closed by the peer
    }
  };
  let reading = false;
  const duplex: Duplex = new Duplex({
    read() {
      if (reading) return;
      reading = true;
      void (async () => {
        try {
          while (true) {
            const buffer = new Uint8Array(16 * 1024);
            const n = await conn.read(buffer);
            if (n === null) {
              duplex.push(null);
              break;
            }
            if (!duplex.push(buffer.subarray(0, n))) break;
          }
        } catch (error) {
          if (!closed) duplex.destroy(error as Error);
        } finally {
          reading = false;
        }
      })();
    },
    write(chunk: Uint8Array, _encoding, callback) {
      void (async () => {
        let offset = 0;
        while (offset < chunk.length) offset += await conn.write(chunk.subarray(offset));
      })().then(() => callback(), (error) => callback(error as Error));
    },
    final(callback) {
      conn.closeWrite().then(() => callback(), () => callback());
    },
    destroy(error, callback) {
      close();
      callback(error);
    },
  });
  return duplex;
}
