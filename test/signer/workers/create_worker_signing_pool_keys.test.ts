import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, type Hex } from "viem";
import { addressOf } from "../../../signer/keys/key_store.ts";
import { BaseError } from "../../../signer/protocol/base_error.ts";
import { createWorkerSigningPool } from "../../../signer/workers/create_worker_signing_pool.ts";
import type { SigningReply, SigningWorkerInbound, SigningWorkerPort } from "../../../signer/workers/signing_pool.ts";

// The worker pool's key messages (addKey, removeKey, close) against ports that keep what they are given, as
// far as a test can see: the copy of a key made for one message is zeroed once posted, a worker that is gone
// gets no key, a worker that cannot take one is stopped, and closing is not a worker failure.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const address = addressOf(hexToBytes(KEY));
const zeroed = (bytes: Uint8Array) => bytes.length === 32 && bytes.every((b) => b === 0);

type Port = SigningWorkerPort & {
  /** The messages exactly as posted (no structured clone), so a key array here is the pool's own copy. */
  posted: SigningWorkerInbound[];
  crash(error: unknown): void;
  terminated: boolean;
  refuseAdds: boolean;
};

function ports(): { spawn: () => SigningWorkerPort; all: Port[] } {
  const all: Port[] = [];
  const spawn = () => {
    let onError: (error: unknown) => void = () => {};
    const port: Port = {
      posted: [],
      terminated: false,
      refuseAdds: false,
      postMessage(message) {
        if (message.type === "add" && port.refuseAdds) throw new Error("DataCloneError");
        port.posted.push(message);
      },
      listen(_onReplies: (replies: SigningReply[]) => void, e) {
        onError = e;
      },
      terminate() {
        port.terminated = true;
      },
      crash: (error) => onError(error),
    };
    all.push(port);
    return port;
  };
  return { spawn, all };
}

const adds = (port: Port) => port.posted.filter((m): m is Extract<SigningWorkerInbound, { type: "add" }> => m.type === "add");

test("addKey zeroes the copy it made for each worker once that worker's message is posted", () => {
  const { spawn, all } = ports();
  const pool = createWorkerSigningPool(spawn, { workers: 2 });
  pool.addKey(address, hexToBytes(KEY));
  for (const port of all) {
    const [add] = adds(port);
    assert.ok(add, "each worker was sent the key");
    assert.ok(zeroed(add.key), `the pool's copy for this worker: ${add.key}`);
  }
  pool.close();
});

test("a worker that has failed is sent no key", () => {
  const { spawn, all } = ports();
  const pool = createWorkerSigningPool(spawn, { workers: 2, onWorkerError: () => {} });
  all[0]!.crash(new Error("gone"));
  pool.addKey(address, hexToBytes(KEY));
  assert.is(adds(all[0]!).length, 0, "the failed worker");
  assert.is(adds(all[1]!).length, 1, "the live one");
  pool.removeKey(address);
  assert.equal(all[0]!.posted, [], "nor any other key message");
  pool.close();
});

test("a worker whose port refuses a key message is stopped as failed; the others keep the key and sign", async () => {
  const { spawn, all } = ports();
  const failures: unknown[] = [];
  const pool = createWorkerSigningPool(spawn, { workers: 2, onWorkerError: (error) => failures.push(error) });
  all[0]!.refuseAdds = true;
  pool.addKey(address, hexToBytes(KEY));
  assert.ok(all[0]!.terminated, "the worker that could not take the key");
  assert.is(failures.length, 1);
  assert.not.ok(all[1]!.terminated);
  assert.is(adds(all[1]!).length, 1);
  // Signs now go only to the live worker.
  void pool.sign(address, { kind: "message", message: new Uint8Array([1]) }).catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.is(all[1]!.posted.filter((m) => m.type === "sign").length, 1);
  assert.is(all[0]!.posted.filter((m) => m.type === "sign").length, 0);
  pool.close();
});

test("close clears every worker's keys, fails signs in flight as closed, and is not reported as a worker failure", async () => {
  const { spawn, all } = ports();
  const failures: unknown[] = [];
  const pool = createWorkerSigningPool(spawn, { workers: 2, onWorkerError: (error) => failures.push(error) });
  pool.addKey(address, hexToBytes(KEY));
  const inFlight = pool.sign(address, { kind: "message", message: new Uint8Array([1]) });
  pool.close();
  pool.close();
  for (const port of all) {
    assert.equal(port.posted.filter((m) => m.type === "clear"), [{ type: "clear" }], "one clear per worker");
    assert.ok(port.terminated);
  }
  assert.equal(failures, [], "closing is not a worker failure");
  try {
    await inFlight;
    assert.unreachable("signed after close");
  } catch (error) {
    assert.instance(error, BaseError);
    assert.is((error as BaseError).code, "INTERNAL");
    assert.is(((error as BaseError).cause as Error).message, "Internal error: the signing pool is closed");
  }
  const after = await pool.sign(address, { kind: "message", message: new Uint8Array([1]) }).catch((e: BaseError) => e);
  assert.instance(after, BaseError);
  assert.is((after as BaseError).shortMessage, "Internal error: the signing pool is closed");
});

test.run();
