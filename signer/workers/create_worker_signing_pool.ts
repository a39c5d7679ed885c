import type { Hex } from "../protocol/messages.ts";
import type { SigningRequest, SigningResult } from "./sign_request.ts";
import type { SigningJob, SigningPool, SigningWorkerPort } from "./signing_pool.ts";
import { signingFailureError, SigningWorkerError } from "./signing_worker_errors.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";

export type CreateWorkerSigningPoolOptions = {
  /** How many workers to start (1…64). */
  workers: number;
  /** Told once about each worker that fails; that worker is taken out of rotation. @default ignore */
  onWorkerError?: (error: unknown) => void;
};

/**
 * Most jobs in one message to a worker. A worker answers a message when it has signed all of it, so batches
 * smaller than the window in flight keep answers flowing while it works through the rest (a batch of the whole
 * window would leave it idle for a round trip to the client after every batch); larger ones cost less to cross
 * threads. Issue 19 measured the signer's default workers (2 vCPU, 128 requests in flight, native curve) with
 * 1, 4, 8, 16, 32 and 64 in alternating rounds: CPU per signature fell from ≈140 µs (1) to ≈110 (4) and ≈100
 * (64), and 16 gave the best throughput against raw Deno (median round 3.3× against 2.3–2.7× for 4).
 */
const MAX_BATCH = 16;

type Slot = { port: SigningWorkerPort; alive: boolean; inFlight: number; queue: SigningJob[] };
type Pending = { resolve(value: unknown): void; reject(error: unknown): void; slot: Slot };

/**
 * A signing pool of worker threads, so signing uses every core while the calling thread keeps the framing and
 * dispatch. Each key is copied to every worker when added (the caller's bytes are then zeroed) and removed
 * (zeroed) from every worker on `removeKey`. Each request goes to the worker with the fewest requests in
 * flight; requests dispatched in the same turn of the event loop travel to a worker in batches of up to 16, and
 * the worker answers each batch with one message, which keeps the cost of crossing threads low at high load.
 * Results come back by id. A worker that fails fails its requests in flight with SigningWorkerError and is
 * not used again; the others go on. A request that cannot be cloned to a worker fails alone (INVALID_PARAMS)
 * and takes no worker down.
 *
 * @example
 * ```ts
 * const pool = createWorkerSigningPool(spawnSigningWorkerDeno, { workers: navigator.hardwareConcurrency });
 * pool.addKey(address, privateKey);
 * const { raw } = await pool.sign(address, { kind: "transaction", transaction });
 * ```
 */
export function createWorkerSigningPool(spawn: () => SigningWorkerPort, options: CreateWorkerSigningPoolOptions): SigningPool {
  const count = options.workers;
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new RangeError(`Cannot start ${count} signing workers: expected 1..64`);
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let nextSlot = 0;
  let closed = false;
  let flushScheduled = false;

  const fail = (slot: Slot, error: unknown) => {
    if (!slot.alive) return;
    slot.alive = false;
    slot.queue.length = 0;
    try { slot.port.terminate(); } catch { /* already gone */ }
    for (const [id, p] of pending) {
      if (p.slot !== slot) continue;
      pending.delete(id);
      p.reject(new SigningWorkerError("Internal error: a signing worker stopped", { cause: error }));
    }
    if (!closed) options.onWorkerError?.(error);
  };

  const slots: Slot[] = [];
  for (let i = 0; i < count; i++) {
    const slot: Slot = { port: spawn(), alive: true, inFlight: 0, queue: [] };
    slot.port.listen(
      (replies) => {
        for (const reply of replies) {
          const p = pending.get(reply.id);
          if (!p) continue;
          pending.delete(reply.id);
          p.slot.inFlight--;
          if ("failure" in reply) p.reject(signingFailureError(reply.failure));
          else p.resolve(reply.result);
        }
      },
      (error) => fail(slot, error),
    );
    slots.push(slot);
  }

  /**
   * Posts one batch. postMessage throws only when it cannot clone a request (a caller's value nested too deep
   * for structured clone): the worker is fine, so each job of the batch is posted alone and only the one that
   * cannot be cloned fails, with INVALID_PARAMS.
   */
  const post = (slot: Slot, jobs: SigningJob[]) => {
    try {
      slot.port.postMessage({ type: "sign", jobs });
    } catch {
      if (jobs.length > 1) {
        for (const job of jobs) post(slot, [job]);
        return;
      }
      const p = pending.get(jobs[0]!.id);
      if (!p) return;
      pending.delete(jobs[0]!.id);
      slot.inFlight--;
      p.reject(new InvalidParamsError("params", "cannot be passed to a signing worker (nested too deeply)"));
    }
  };

  const flush = () => {
    flushScheduled = false;
    for (const slot of slots) {
      if (slot.queue.length === 0 || !slot.alive) continue;
      const queue = slot.queue;
      slot.queue = [];
      for (let i = 0; i < queue.length; i += MAX_BATCH) post(slot, queue.slice(i, i + MAX_BATCH));
    }
  };

  /** The live worker with the fewest requests in flight; ties go round-robin. */
  const pick = (): Slot | undefined => {
    let best: Slot | undefined;
    for (let k = 0; k < slots.length; k++) {
      const slot = slots[(nextSlot + k) % slots.length]!;
      if (slot.alive && (!best || slot.inFlight < best.inFlight)) best = slot;
    }
    nextSlot = (nextSlot + 1) % slots.length;
    return best;
  };

  /** Sends a key message to every live worker, after the signs already queued (so order is kept). */
  const broadcast = (send: (port: SigningWorkerPort) => void) => {
    flush();
    for (const slot of slots) {
      if (!slot.alive) continue;
      try {
        send(slot.port);
      } catch (error) {
        fail(slot, error);
      }
    }
  };

  return {
    workers: count,
    addKey(address, privateKey) {
      const id = address.toLowerCase();
      broadcast((port) => {
        // A fresh 32-byte buffer per message (cloning a view would clone its whole underlying buffer), zeroed
        // once postMessage has cloned it.
        const key = privateKey.slice(0, 32);
        try {
          port.postMessage({ type: "add", address: id, key });
        } finally {
          key.fill(0);
        }
      });
      privateKey.fill(0);
    },
    removeKey(address) {
      const id = address.toLowerCase();
      broadcast((port) => port.postMessage({ type: "remove", address: id }));
    },
    sign<R extends SigningRequest>(address: Hex, request: R): Promise<SigningResult<R>> {
      if (closed) return Promise.reject(new SigningWorkerError("Internal error: the signing pool is closed"));
      const slot = pick();
      if (!slot) return Promise.reject(new SigningWorkerError("Internal error: no signing worker is running"));
      const id = nextId++;
      if (nextId > Number.MAX_SAFE_INTEGER) nextId = 1;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject, slot });
        slot.inFlight++;
        slot.queue.push({ id, address: address.toLowerCase(), request });
        if (!flushScheduled) {
          flushScheduled = true;
          queueMicrotask(flush);
        }
      });
    },
    close() {
      if (closed) return;
      broadcast((port) => port.postMessage({ type: "clear" }));
      closed = true;
      for (const slot of slots) fail(slot, new SigningWorkerError("Internal error: the signing pool is closed"));
    },
  };
}
