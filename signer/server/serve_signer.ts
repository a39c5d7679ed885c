import type { Listener } from "../transport/transport.ts";
import type { MethodTable } from "./handle_request.ts";
import { serveConnection, type ServeConnectionOptions } from "./serve_connection.ts";

/**
 * Accepts connections until the listener closes and serves each one independently; a failing connection
 * never affects another. Resolves when the listener is closed.
 *
 * @example
 * ```ts
 * const listener = await transport.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
 * serveSigner(listener, createSignerMethods({ keyStore: createKeyStore() }));
 * ```
 */
export async function serveSigner(listener: Listener, methods: MethodTable, options: ServeConnectionOptions = {}): Promise<void> {
  for await (const conn of listener) {
    serveConnection(conn, methods, options).catch(() => conn.close());
  }
}
