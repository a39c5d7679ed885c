import { test } from "uvu";
import * as assert from "uvu/assert";
import { toHex, type Hex } from "viem";
import { watchBroadcasts } from "../../../rpc-proxy/transactions/watch_broadcasts.ts";
import { UpstreamUnavailableError } from "../../../rpc-proxy/upstream/create_upstream.ts";
import { fakeUpstream } from "../fakes.ts";

const from: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const A = { hash: "0xaa" as Hex, nonce: 5 }, B = { hash: "0xbb" as Hex, nonce: 6 }, C = { hash: "0xcc" as Hex, nonce: 7 };

/**
 * A node whose receipts and pool hold what the sets say and whose mined count for the account is `count`;
 * records each batch it is sent and each sleep.
 */
function node(state: { count: number; mined: Set<Hex>; pooled: Set<Hex>; onLookup?: (hash: Hex) => void }) {
  const upstream = fakeUpstream({
    eth_getTransactionCount: () => toHex(state.count),
    eth_getTransactionReceipt: ([hash]: unknown[]) => (state.mined.has(hash as Hex) ? { status: "0x1" } : null),
    eth_getTransactionByHash: ([hash]: unknown[]) => {
      state.onLookup?.(hash as Hex);
      return state.pooled.has(hash as Hex) ? { hash } : null;
    },
  });
  const batches: string[][] = [];
  const batch = upstream.batch;
  upstream.batch = (calls) => {
    batches.push(calls.map(([method, params]) => `${method} ${params[0]}`));
    return batch(calls);
  };
  const slept: number[] = [];
  const sleep = async (ms: number) => void slept.push(ms);
  const asked = (method: string) => upstream.calls.filter((c) => c.method === method).length;
  return { upstream, batches, slept, sleep, asked };
}

test("mined at once: kept after one look at the mined count and one receipt batch, no lookup by hash", async () => {
  const { upstream, batches, sleep, asked } = node({ count: 7, mined: new Set([A.hash, B.hash]), pooled: new Set() });
  assert.equal([...await watchBroadcasts(from, [A, B], upstream, { graceMs: 100, sleep })], []);
  assert.equal(batches, [[`eth_getTransactionCount ${from}`], [`eth_getTransactionReceipt ${A.hash}`, `eth_getTransactionReceipt ${B.hash}`]]);
  assert.is(asked("eth_getTransactionByHash"), 0);
});

test("still in the pool when the grace is over: kept, after the mined count was polled for the whole grace", async () => {
  const { upstream, slept, sleep, asked } = node({ count: 5, mined: new Set(), pooled: new Set([A.hash]) });
  assert.equal([...await watchBroadcasts(from, [A], upstream, { graceMs: 100, sleep })], []);
  assert.ok(slept.reduce((a, b) => a + b, 0) >= 100, `waited only ${slept.join("+")} ms`);
  assert.ok(asked("eth_getTransactionCount") > 2);
  assert.is(asked("eth_getTransactionReceipt"), 1);
  assert.is(asked("eth_getTransactionByHash"), 1);
});

test("its nonce mined, but not it, and the node no longer knows it: dropped (replaced)", async () => {
  const { upstream, sleep } = node({ count: 7, mined: new Set([A.hash]), pooled: new Set() });
  assert.equal([...await watchBroadcasts(from, [A, B], upstream, { graceMs: 100, sleep })], [B.hash]);
});

test("its nonce counted as mined before its receipt is served: kept, not taken for replaced", async () => {
  const { upstream, sleep } = node({ count: 7, mined: new Set([A.hash]), pooled: new Set([B.hash]) });
  assert.equal([...await watchBroadcasts(from, [A, B], upstream, { graceMs: 100, sleep })], []);
});

test("neither mined nor in the pool: dropped; only the unmined are looked up, in one batch", async () => {
  const { upstream, batches, sleep } = node({ count: 6, mined: new Set([A.hash]), pooled: new Set([B.hash]) });
  assert.equal([...await watchBroadcasts(from, [A, B, C], upstream, { graceMs: 20, sleep })], [C.hash]);
  assert.equal(batches.filter((b) => b[0]!.startsWith("eth_getTransactionByHash")), [[`eth_getTransactionByHash ${B.hash}`, `eth_getTransactionByHash ${C.hash}`]]);
});

test("unknown to the pool because it was mined in between: kept", async () => {
  const state = { count: 5, mined: new Set<Hex>(), pooled: new Set<Hex>(), onLookup: (hash: Hex) => void state.mined.add(hash) };
  const { upstream, sleep } = node(state);
  assert.equal([...await watchBroadcasts(from, [A], upstream, { graceMs: 20, sleep })], []);
  assert.is(upstream.calls.at(-1)?.method, "eth_getTransactionReceipt");
});

test("the node cannot be reached: kept (it accepted the transaction)", async () => {
  const { upstream, sleep } = node({ count: 5, mined: new Set(), pooled: new Set() });
  upstream.down = true;
  assert.equal([...await watchBroadcasts(from, [A, B], upstream, { graceMs: 20, sleep })], []);
  // Reachable for the count and the receipts, not for the pool lookup: still kept.
  const gone = fakeUpstream({
    eth_getTransactionCount: "0x5",
    eth_getTransactionReceipt: null,
    eth_getTransactionByHash: () => Promise.reject(new UpstreamUnavailableError("Cannot reach the node")),
  });
  assert.equal([...await watchBroadcasts(from, [A], gone, { graceMs: 20, sleep })], []);
});

test.run();
