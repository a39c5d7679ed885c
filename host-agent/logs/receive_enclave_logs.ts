import type { Conn, Listener } from "../../signer/mod.ts";

export type ReceiveEnclaveLogsOptions = {
  /** Appends text (whole lines, each ending in "\n") to the signer's log file; awaited before reading on. */
  append: (text: string) => Promise<void> | void;
  /** Longest line kept, bytes; longer ones are discarded and counted. @default 16384 */
  maxLineBytes?: number;
  /** The host-agent's own log: connections, and lines discarded because they were too long or not JSON objects. */
  log?: (event: Record<string, unknown>) => void;
};

/**
 * Receives the signer's log lines (newline-delimited JSON, from `createLogStream` in the enclave) on `listener`
 * until it closes, and appends them to the signer's log file, where the CloudWatch agent collects them. Each
 * line must be one JSON object; it is written re-serialized (so a file line is always exactly one object), and
 * anything else is discarded with a count in the host-agent's log. One connection at a time is expected (the
 * signer reconnects after a drop); several are served independently. Never throws for bad input. Resolves when
 * the listener is closed, after closing the connections still open.
 *
 * @example
 * ```ts
 * const listener = await denoTransport.listen({ transport: "vsock", cid: -1, port: ENCLAVE_LOG_PORT });
 * receiveEnclaveLogs(listener, { append: (text) => file.append(text) });
 * ```
 */
export async function receiveEnclaveLogs(listener: Listener, options: ReceiveEnclaveLogsOptions): Promise<void> {
  const open = new Map<Conn, Promise<void>>();
  for await (const conn of listener) {
    const p = receive(conn, options)
      .catch((error) => options.log?.({ event: "enclave-logs-failed", error: (error as Error).message }))
      .finally(() => open.delete(conn));
    open.set(conn, p);
  }
  // The listener is closed: so are the connections still open (what they already sent has been appended).
  for (const conn of open.keys()) conn.close();
  await Promise.allSettled(open.values());
}

async function receive(conn: Conn, options: ReceiveEnclaveLogsOptions): Promise<void> {
  const maxLineBytes = options.maxLineBytes ?? 16 * 1024;
  const decoder = new TextDecoder();
  let partial = "";
  let skipping = false; // inside a line that is already too long: discard up to its newline
  let lines = 0;
  let discarded = 0;
  options.log?.({ event: "enclave-logs-connected" });
  try {
    for await (const chunk of conn.readable) {
      const text = partial + decoder.decode(chunk, { stream: true });
      const parts = text.split("\n");
      partial = parts.pop()!;
      let out = "";
      for (const [i, line] of parts.entries()) {
        if (i === 0 && skipping) {
          skipping = false;
          continue;
        }
        const kept = toLine(line, maxLineBytes);
        if (kept === undefined) discarded++;
        else if (kept !== "") {
          out += kept;
          lines++;
        }
      }
      if (partial.length > maxLineBytes) {
        if (!skipping) discarded++;
        partial = "";
        skipping = true;
      } else if (parts.length > 0) {
        skipping = false;
      }
      if (out !== "") await options.append(out);
    }
  } finally {
    conn.close();
    options.log?.({ event: "enclave-logs-disconnected", lines, ...(discarded ? { discarded } : {}) });
  }
}

/** One JSON object, re-serialized with its newline; "" for an empty line; undefined for an oversized or non-object one. */
function toLine(line: string, maxLineBytes: number): string | undefined {
  const trimmed = line.trim();
  if (trimmed === "") return "";
  if (trimmed.length > maxLineBytes) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    return JSON.stringify(value) + "\n";
  } catch {
    return undefined;
  }
}
