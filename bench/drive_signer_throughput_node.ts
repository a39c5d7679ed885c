import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { decode } from "cborg";
import type { Hex } from "viem";
import { encodeSignRequests } from "./encode_sign_requests.ts";

export type DriveSignerThroughputOptions = {
  /** Unix socket path of the signer. */
  socketPath: string;
  /** The account to sign with (held by the signer). */
  account: Hex;
  /** Measured time, after `warmupMs`. */
  durationMs: number;
  /** @default durationMs / 5 */
  warmupMs?: number;
  /** Requests kept in flight on the one connection. @default 128 */
  inFlight?: number;
};

/** Distinct pre-encoded requests, reused in a cycle; ids stay unique among the ≤ inFlight outstanding. */
const FRAMES = 4096;
/** The CBOR text "raw" (0x63 'r' 'a' 'w'): the key of a signed transaction, never inside the hex it carries. */
const RAW_KEY = Buffer.from([0x63, 0x72, 0x61, 0x77]);

/**
 * Saturates a signer with `sign.transaction` over the enclave protocol (one pipelined connection on a Unix
 * socket, `inFlight` requests outstanding) and returns the completed signatures per second after a warm-up.
 * The load generator shares the machine, so it spends as little CPU as it can: requests are encoded before
 * the run, each batch of answers is followed by one write, and answers are checked by their bytes (every
 * 64th is decoded in full). Throws if an answer is not a signed transaction.
 *
 * @example
 * ```ts
 * const perSecond = await driveSignerThroughput({ socketPath, account, durationMs: 2000 });
 * ```
 */
export async function driveSignerThroughput(options: DriveSignerThroughputOptions): Promise<number> {
  const inFlight = options.inFlight ?? 128;
  const frames = encodeSignRequests(options.account, FRAMES).map((f) => Buffer.from(f.buffer, f.byteOffset, f.byteLength));
  const socket = connect({ path: options.socketPath });
  await once(socket, "connect");
  let pending: Buffer = Buffer.alloc(0);
  let sent = 0;
  let done = 0;
  let counting = false;
  let counted = 0;
  let stopping = false;
  const finished = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const next: Buffer[] = [];
      let offset = 0;
      while (pending.length - offset >= 4) {
        const length = pending.readUInt32BE(offset);
        if (pending.length - offset - 4 < length) break;
        const body = pending.subarray(offset + 4, offset + 4 + length);
        offset += 4 + length;
        const ok = body.indexOf(RAW_KEY) >= 0 && (done % 64 !== 0 || typeof (decode(body) as { result?: { raw?: unknown } }).result?.raw === "string");
        if (!ok) return reject(new Error(`signer answered ${JSON.stringify(decode(body))}`));
        done++;
        if (counting) counted++;
        if (!stopping) next.push(frames[sent++ % FRAMES]!);
      }
      pending = offset === pending.length ? Buffer.alloc(0) : pending.subarray(offset);
      if (next.length > 0) socket.write(next.length === 1 ? next[0]! : Buffer.concat(next));
      if (stopping && done === sent) resolve();
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("signer closed the connection")));
  });
  finished.catch(() => {}); // observed through the races below; the close after the run is expected
  const initial: Buffer[] = [];
  for (let i = 0; i < inFlight; i++) initial.push(frames[sent++ % FRAMES]!);
  socket.write(Buffer.concat(initial));
  try {
    await Promise.race([finished, sleep(options.warmupMs ?? options.durationMs / 5)]);
    counting = true;
    const started = performance.now();
    await Promise.race([finished, sleep(options.durationMs)]);
    counting = false;
    const perSecond = counted / ((performance.now() - started) / 1000);
    stopping = true;
    if (done < sent) {
      await Promise.race([finished, sleep(10_000).then(() => Promise.reject(new Error("signer did not answer every request within 10 s")))]);
    }
    return perSecond;
  } finally {
    socket.destroy();
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
