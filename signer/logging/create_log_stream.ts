import type { Conn, SignerAddress, Transport } from "../transport/transport.ts";

/** A line sink that never blocks or throws: see `createLogStream`. */
export type LogStream = {
  /** Queues one log line (a JSON object's text, without the newline). Returns at once; never throws. */
  write(line: string): void;
  /** Lines dropped so far: the buffer was full (receiver absent or slow), or a write to the receiver failed. */
  readonly dropped: number;
  /** Stops: closes the connection and discards what is still queued. */
  close(): void;
};

export type CreateLogStreamOptions = {
  /** Most bytes held while the receiver is absent or slow; a line that does not fit is dropped. @default 262144 */
  maxBufferedBytes?: number;
  /** Delay before reconnecting, doubling up to `max`. @default { initialMs: 500, maxMs: 30000 } */
  retry?: { initialMs: number; maxMs: number };
  /** The `service` field of the line that reports dropped lines. @default "signer" */
  service?: string;
};

const encoder = new TextEncoder();
/** Lines sent in one write, at most about this many bytes (fewer writes than lines under load). */
const WRITE_CHUNK_BYTES = 64 * 1024;

/**
 * Streams log lines (newline-delimited JSON) to a receiver over a Transport: in the enclave the host-agent over
 * vsock (`vsock://3:5001`), locally a Unix socket or TCP port. Logging must never stall or crash the signer,
 * so `write` only queues: a background loop connects (and reconnects with backoff), sends what is queued, and
 * when the queue holds `maxBufferedBytes` further lines are dropped and counted. After a drop the next lines the
 * receiver gets are preceded by `{"event":"log-lines-dropped","count":N}`. What goes in the lines is the
 * caller's business: the signer logs events, method names and error codes, never a key, a credential or params.
 *
 * @example
 * ```ts
 * const stream = createLogStream(denoTransport, { transport: "vsock", cid: 3, port: ENCLAVE_LOG_PORT });
 * stream.write(JSON.stringify({ time: new Date().toISOString(), service: "signer", event: "listening" }));
 * ```
 */
export function createLogStream(transport: Transport, address: SignerAddress, options: CreateLogStreamOptions = {}): LogStream {
  const maxBytes = options.maxBufferedBytes ?? 256 * 1024;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1024) throw new RangeError(`Invalid maxBufferedBytes ${maxBytes}: expected an integer ≥ 1024`);
  const retry = options.retry ?? { initialMs: 500, maxMs: 30_000 };
  const service = options.service ?? "signer";

  const queue: Uint8Array[] = [];
  let queuedBytes = 0;
  let dropped = 0;
  let reported = 0;
  let closed = false;
  let conn: Conn | undefined;
  let wake: (() => void) | undefined;
  let endSleep: (() => void) | undefined;

  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const waitForLines = () => new Promise<void>((resolve) => (wake = resolve));
  /** Waits before a reconnect; only close() ends it early (new lines must not turn backoff into a busy loop). */
  const sleep = (ms: number) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return new Promise<void>((resolve) => {
      endSleep = resolve;
      timer = setTimeout(resolve, ms);
    }).finally(() => clearTimeout(timer));
  };

  /** Takes queued lines (about WRITE_CHUNK_BYTES), preceded by the drop report if lines were lost. */
  const take = (): { bytes: Uint8Array; lines: number } => {
    const parts: Uint8Array[] = [];
    let size = 0;
    if (dropped > reported) {
      const count = dropped - reported;
      reported = dropped;
      const report = encoder.encode(JSON.stringify({ time: new Date().toISOString(), service, event: "log-lines-dropped", count }) + "\n");
      parts.push(report);
      size += report.length;
    }
    let lines = 0;
    while (queue.length > 0 && (lines === 0 || size + queue[0]!.length <= WRITE_CHUNK_BYTES)) {
      const line = queue.shift()!;
      queuedBytes -= line.length;
      parts.push(line);
      size += line.length;
      lines++;
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const part of parts) {
      bytes.set(part, offset);
      offset += part.length;
    }
    return { bytes, lines };
  };

  const run = async () => {
    let delay = retry.initialMs;
    while (!closed) {
      if (queue.length === 0) {
        await waitForLines();
        continue;
      }
      if (!conn) {
        try {
          conn = await transport.connect(address);
          if (closed) break;
          delay = retry.initialMs;
        } catch {
          await sleep(delay);
          delay = Math.min(retry.maxMs, delay * 2);
          continue;
        }
      }
      const { bytes, lines } = take();
      try {
        await conn.write(bytes);
      } catch {
        dropped += lines; // they may have been half sent: counted as lost, never sent twice
        conn.close();
        conn = undefined;
      }
    }
    conn?.close();
  };
  run().catch(() => {}); // nothing above throws; belt and braces, a log sink must never take the process down

  return {
    write(line) {
      if (closed) return;
      const bytes = encoder.encode(line.replace(/[\r\n]+/g, " ") + "\n");
      if (queuedBytes + bytes.length > maxBytes) {
        dropped++;
        return;
      }
      queue.push(bytes);
      queuedBytes += bytes.length;
      notify();
    },
    get dropped() {
      return dropped;
    },
    close() {
      if (closed) return;
      closed = true;
      queue.length = 0;
      queuedBytes = 0;
      conn?.close();
      notify();
      endSleep?.();
    },
  };
}
