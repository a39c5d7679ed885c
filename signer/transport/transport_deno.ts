/// <reference lib="deno.ns" />
import type { Conn, Listener, SignerAddress, Transport } from "./transport.ts";

/**
 * TCP, Unix-socket and vsock streams for Deno. vsock needs `--unstable-vsock` (DESIGN §3); all three go
 * through `Deno.listen` / `Deno.connect` with a different `transport`, so this adapter stays tiny.
 */
export const denoTransport: Transport = {
  async listen(address) {
    // deno-lint-ignore no-explicit-any -- vsock options are behind --unstable-vsock in Deno's types
    const listener = Deno.listen(toOptions(address) as any) as Deno.Listener;
    const bound: SignerAddress = address.transport === "tcp"
      ? { ...address, port: (listener.addr as Deno.NetAddr).port }
      : address;
    return {
      address: bound,
      close: () => listener.close(),
      async *[Symbol.asyncIterator]() {
        try {
          for await (const conn of listener) yield wrap(conn);
        } catch (error) {
          if (!(error instanceof Deno.errors.BadResource)) throw error;
        }
      },
    } satisfies Listener;
  },
  async connect(address) {
    // deno-lint-ignore no-explicit-any
    const conn = await Deno.connect(toOptions(address) as any) as Deno.Conn;
    if (address.transport === "tcp") (conn as Deno.TcpConn).setNoDelay(true);
    return wrap(conn);
  },
};

function toOptions(address: SignerAddress): Record<string, unknown> {
  return address.transport === "tcp" ? { transport: "tcp", hostname: address.hostname, port: address.port } : address;
}

/**
 * Reads with `conn.read` rather than `conn.readable`: the stream closes the whole resource at end of input,
 * which would make it impossible to answer a half-closed connection (e.g. with a TRUNCATED_FRAME error).
 * Writes are queued so that concurrent callers never interleave partial writes.
 */
function wrap(conn: Deno.Conn): Conn {
  let closed = false;
  let tail: Promise<void> = Promise.resolve();
  const writeAll = async (bytes: Uint8Array) => {
    for (let offset = 0; offset < bytes.length;) offset += await conn.write(bytes.subarray(offset));
  };
  return {
    readable: {
      async *[Symbol.asyncIterator]() {
        while (true) {
          const buffer = new Uint8Array(64 * 1024);
          const n = await conn.read(buffer);
          if (n === null) return;
          yield buffer.subarray(0, n);
        }
      },
    },
    write(bytes) {
      const result = tail.then(() => writeAll(bytes));
      tail = result.catch(() => {});
      return result;
    },
    close() {
      if (closed) return;
      closed = true;
      try { conn.close(); } catch { /* already closed by the peer */ }
    },
  };
}
