import { test } from "uvu";
import * as assert from "uvu/assert";
import { createNonceManager } from "../../../rpc-proxy/transactions/create_nonce_manager.ts";

const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

/** A node's pending count that the test controls, counting how often it is read. */
function node(start = 0) {
  const state = { pending: start, reads: 0, fail: false };
  const source = async () => {
    state.reads++;
    await Promise.resolve();
    if (state.fail) throw new Error("node down");
    return state.pending;
  };
  return { state, source };
}

test("concurrent reservations get consecutive nonces, one at a time, from the node's pending count", async () => {
  const { state, source } = node(5);
  const nonces = createNonceManager(source, { readPending: "when-idle" });
  let holding = 0;
  let most = 0;
  const used = await Promise.all(Array.from({ length: 20 }, async () => {
    const lease = await nonces.reserve("1:a", A);
    holding++;
    most = Math.max(most, holding);
    await new Promise((r) => setTimeout(r, Math.random() * 3));
    holding--;
    lease.commit();
    return lease.nonce;
  }));
  assert.equal([...used].sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => 5 + i));
  assert.is(most, 1);
  assert.is(state.reads, 1);
});

test("a released nonce goes to the next send, so a failure before broadcast leaves no gap", async () => {
  const { source } = node(0);
  const nonces = createNonceManager(source);
  const results = await Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => {
    const lease = await nonces.reserve("1:a", A);
    if (i % 2 === 1) {
      lease.release();
      return undefined;
    }
    lease.commit();
    return lease.nonce;
  }));
  assert.equal(results.filter((n) => n !== undefined), [0, 1, 2]);
});

test("a resync re-reads the node and never goes below the nonce the node reported used", async () => {
  const { state, source } = node(0);
  let resynced = 0;
  const nonces = createNonceManager(source, { onResync: () => resynced++ });
  const first = await nonces.reserve("1:a", A);
  assert.is(first.nonce, 0);
  state.pending = 7; // another instance sent 0…6
  first.resync();
  const second = await nonces.reserve("1:a", A);
  assert.is(second.nonce, 7);
  second.resync(); // the node lags: it still says 7
  const third = await nonces.reserve("1:a", A);
  assert.is(third.nonce, 8);
  third.commit();
  assert.is(nonces.resyncs, 2);
  assert.is(resynced, 2);
});

test("readPending when-idle: after an idle moment the node is asked again; while busy it is not", async () => {
  const { state, source } = node(0);
  const nonces = createNonceManager(source, { readPending: "when-idle" });
  (await nonces.reserve("1:a", A)).commit();
  assert.is(state.reads, 1);
  state.pending = 10; // another instance sent while this one was idle
  const lease = await nonces.reserve("1:a", A);
  assert.is(lease.nonce, 10);
  const next = nonces.reserve("1:a", A);
  lease.commit();
  (await next).commit();
  assert.is(state.reads, 2);
});

test("readPending always (the default): every reservation reads the node, skipping what another instance has pooled", async () => {
  const { state, source } = node(0);
  const nonces = createNonceManager(source);
  const first = nonces.reserve("1:a", A);
  const second = nonces.reserve("1:a", A);
  const lease = await first;
  assert.is(lease.nonce, 0);
  state.pending = 4; // another instance's transactions 0…3 reached the pool meanwhile
  lease.commit();
  const next = await second;
  assert.is(next.nonce, 4);
  next.commit();
  assert.is(state.reads, 2);
  state.pending = 2; // a lagging node never takes the nonce back
  assert.is((await nonces.reserve("1:a", A)).nonce, 5);
});

test("accounts and chains are independent; a node failure fails the reservation and frees the lock", async () => {
  const { state, source } = node(3);
  const nonces = createNonceManager(source);
  const a = await nonces.reserve("1:a", A);
  const b = await nonces.reserve("1:b", A); // not blocked by a
  assert.equal([a.nonce, b.nonce], [3, 3]);
  a.commit();
  b.commit();
  state.fail = true;
  await nonces.reserve("1:c", A).then(() => assert.unreachable("reserved"), (e: Error) => assert.is(e.message, "node down"));
  state.fail = false;
  const c = await nonces.reserve("1:c", A);
  assert.is(c.nonce, 3);
  c.commit();
  c.release(); // a second settle is ignored
  assert.is((await nonces.reserve("1:c", A)).nonce, 4);
});

test.run();
