import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, type Hex } from "viem";
import { addressOf } from "../../../signer/keys/key_store.ts";
import { BaseError } from "../../../signer/protocol/base_error.ts";
import { createWorkerSigningPool } from "../../../signer/workers/create_worker_signing_pool.ts";
import type { SigningReply, SigningWorkerInbound, SigningWorkerPort } from "../../../signer/workers/signing_pool.ts";
import { spawnSigningWorkerNode } from "../../../signer/workers/spawn_signing_worker_node.ts";
import { signingPoolContract } from "./signing_pool_contract.ts";

// The pool with real Node worker threads (the same handler as the Deno Web Workers) passes the contract…
signingPoolContract("createWorkerSigningPool() with Node worker threads", () => createWorkerSigningPool(spawnSigningWorkerNode, { workers: 2 }), 2);

// …and its dispatch is checked against fake workers that answer only when told.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const address = addressOf(hexToBytes(KEY));

type FakeWorker = SigningWorkerPort & {
  inbox: SigningWorkerInbound[];
  answer(result?: unknown): void;
  crash(error: unknown): void;
  terminated: boolean;
};

function fakeWorkers(): { spawn: () => SigningWorkerPort; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  const spawn = () => {
    let onReplies: (replies: SigningReply[]) => void = () => {};
    let onError: (error: unknown) => void = () => {};
    const worker: FakeWorker = {
      inbox: [],
      terminated: false,
      postMessage(message) {
        // What structured clone does: the worker gets its own copy.
        worker.inbox.push(structuredClone(message));
      },
      listen(r, e) {
        onReplies = r;
        onError = e;
      },
      terminate() {
        worker.terminated = true;
      },
      answer(result = "ok") {
        const jobs = worker.inbox.flatMap((m) => (m.type === "sign" ? m.jobs : []));
        worker.inbox = worker.inbox.filter((m) => m.type !== "sign");
        onReplies(jobs.map((job) => ({ id: job.id, result })));
      },
      crash: (error) => onError(error),
    };
    workers.push(worker);
    return worker;
  };
  return { spawn, workers };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const message = { kind: "message", message: new Uint8Array([1]) } as const;
const signs = (w: FakeWorker) => w.inbox.filter((m) => m.type === "sign");

test("addKey sends every worker its own 32-byte copy and zeroes the caller's bytes", () => {
  const { spawn, workers } = fakeWorkers();
  const pool = createWorkerSigningPool(spawn, { workers: 3 });
  const backing = new Uint8Array(64);
  backing.set(hexToBytes(KEY), 16);
  const key = backing.subarray(16, 48);
  pool.addKey(address, key);
  assert.ok(key.every((b) => b === 0), "caller's key zeroed");
  for (const worker of workers) {
    const add = worker.inbox[0] as Extract<SigningWorkerInbound, { type: "add" }>;
    assert.is(add.type, "add");
    assert.is(add.address, address.toLowerCase());
    assert.is(add.key.buffer.byteLength, 32, "only the key crosses, not the buffer around it");
    assert.equal(add.key, hexToBytes(KEY));
  }
  pool.close();
});

test("signs of one turn go to the least-busy workers as one batch each, and answers come back by id", async () => {
  const { spawn, workers } = fakeWorkers();
  const pool = createWorkerSigningPool(spawn, { workers: 2 });
  const first = Array.from({ length: 4 }, () => pool.sign(address, message));
  await tick();
  assert.equal(workers.map((w) => signs(w).length), [1, 1]);
  assert.equal(workers.map((w) => signs(w).flatMap((m) => (m.type === "sign" ? m.jobs : [])).length), [2, 2]);
  workers[1]!.answer("from 1");
  await tick();
  // Worker 1 is idle now, worker 0 still has two in flight: the next two go to worker 1.
  const second = [pool.sign(address, message), pool.sign(address, message)];
  await tick();
  assert.equal(signs(workers[1]!).flatMap((m) => (m.type === "sign" ? m.jobs : [])).length, 2);
  workers[0]!.answer("from 0");
  workers[1]!.answer("from 1 again");
  assert.equal(await Promise.all(first), ["from 0", "from 1", "from 0", "from 1"]);
  assert.equal(await Promise.all(second), ["from 1 again", "from 1 again"]);
  pool.close();
});

test("a key change reaches each worker after the signs queued before it", async () => {
  const { spawn, workers } = fakeWorkers();
  const pool = createWorkerSigningPool(spawn, { workers: 1 });
  const signed = pool.sign(address, message).catch(() => "closed");
  pool.removeKey(address);
  assert.equal(workers[0]!.inbox.map((m) => m.type), ["sign", "remove"]);
  pool.close();
  assert.is(await signed, "closed");
});

test("a worker that fails fails its requests with INTERNAL; the others go on", async () => {
  const { spawn, workers } = fakeWorkers();
  const failures: unknown[] = [];
  const pool = createWorkerSigningPool(spawn, { workers: 2, onWorkerError: (error) => failures.push(error) });
  const a = pool.sign(address, message);
  const b = pool.sign(address, message);
  await tick();
  workers[0]!.crash(new Error("out of memory"));
  try {
    await a;
    assert.unreachable("resolved");
  } catch (error) {
    assert.instance(error, BaseError);
    assert.is((error as BaseError).code, "INTERNAL");
  }
  assert.ok(workers[0]!.terminated);
  assert.is(failures.length, 1);
  const c = pool.sign(address, message);
  await tick();
  workers[1]!.answer();
  assert.equal(await Promise.all([b, c]), ["ok", "ok"]);
  workers[1]!.crash(new Error("gone"));
  assert.is((await pool.sign(address, message).catch((e: BaseError) => e.code)), "INTERNAL");
  pool.close();
});

test("a request that cannot be copied to a worker fails alone with INVALID_PARAMS; its batch and the worker go on", async () => {
  const { spawn, workers } = fakeWorkers();
  const pool = createWorkerSigningPool(spawn, { workers: 1 });
  // Structured clone refuses a function (and, in the signer, params nested a few thousand deep).
  const uncopyable = { ...message, junk: () => 1 } as unknown as typeof message;
  const [a, bad, b] = [pool.sign(address, message), pool.sign(address, uncopyable).catch((e: BaseError) => e.code), pool.sign(address, message)];
  await tick();
  assert.is(await bad, "INVALID_PARAMS");
  assert.is(workers[0]!.terminated, false);
  workers[0]!.answer();
  assert.equal(await Promise.all([a, b]), ["ok", "ok"]);
  const c = pool.sign(address, message);
  await tick();
  workers[0]!.answer("still here");
  assert.is(await c, "still here");
  pool.close();
});

test("close stops every worker and refuses further signs", async () => {
  const { spawn, workers } = fakeWorkers();
  const pool = createWorkerSigningPool(spawn, { workers: 2 });
  const inFlight = pool.sign(address, message);
  pool.close();
  assert.ok(workers.every((w) => w.terminated && w.inbox.some((m) => m.type === "clear")));
  assert.is(await inFlight.catch((e: BaseError) => e.code), "INTERNAL");
  assert.is(await pool.sign(address, message).catch((e: BaseError) => e.code), "INTERNAL");
});

test("the worker count must be 1..64", () => {
  const { spawn } = fakeWorkers();
  for (const workers of [0, 65, 1.5]) assert.throws(() => createWorkerSigningPool(spawn, { workers }), RangeError);
});

test.run();
