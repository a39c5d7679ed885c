import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Hex } from "viem";
import { watchBroadcasts } from "../../../rpc-proxy/transactions/watch_broadcasts.ts";
import { UpstreamUnavailableError } from "../../../rpc-proxy/upstream/create_upstream.ts";
import { fakeUpstream } from "../fakes.ts";

const A: Hex = "0xaa", B: Hex = "0xbb", C: Hex = "0xcc";

/** A node whose receipts and pool hold what the sets say; records each batch it is sent and each sleep. */
function node(state: { mined: Set<Hex>; pooled: Set<Hex>; onLookup?: (hash: Hex) => void }) {
  const upstream = fakeUpstream({
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
  return { upstream, batches, slept, sleep };
}

test("mined at once: nothing dropped, one receipt batch for all, no eth_getTransactionByHash", async () => {
  const { upstream, batches, sleep } = node({ mined: new Set([A, B]), pooled: new Set() });
  const dropped = await watchBroadcasts([A, B], upstream, { graceMs: 100, sleep });
  assert.equal([...dropped], []);
  assert.equal(batches, [[`eth_getTransactionReceipt ${A}`, `eth_getTransactionReceipt ${B}`]]);
  assert.not.ok(upstream.calls.some((c) => c.method === "eth_getTransactionByHash"));
});

test("still in the pool when the grace is over: kept, after receipts were asked again for the whole grace", async () => {
  const { upstream, slept, sleep } = node({ mined: new Set(), pooled: new Set([A]) });
  const dropped = await watchBroadcasts([A], upstream, { graceMs: 100, sleep });
  assert.equal([...dropped], []);
  assert.ok(slept.reduce((a, b) => a + b, 0) >= 100, `waited only ${slept.join("+")} ms`);
  assert.ok(upstream.calls.filter((c) => c.method === "eth_getTransactionReceipt").length > 1);
  assert.is(upstream.calls.filter((c) => c.method === "eth_getTransactionByHash").length, 1);
});

test("unknown to the node and not mined: dropped; only the unmined are looked up, in one batch", async () => {
  const { upstream, batches, sleep } = node({ mined: new Set([A]), pooled: new Set([B]) });
  const dropped = await watchBroadcasts([A, B, C], upstream, { graceMs: 20, sleep });
  assert.equal([...dropped], [C]);
  assert.equal(batches.filter((b) => b[0]!.startsWith("eth_getTransactionByHash")), [[`eth_getTransactionByHash ${B}`, `eth_getTransactionByHash ${C}`]]);
});

test("unknown to the node because it was mined in between: kept", async () => {
  const state = { mined: new Set<Hex>(), pooled: new Set<Hex>(), onLookup: (hash: Hex) => void state.mined.add(hash) };
  const { upstream, sleep } = node(state);
  const dropped = await watchBroadcasts([A], upstream, { graceMs: 20, sleep });
  assert.equal([...dropped], []);
  assert.is(upstream.calls.at(-1)?.method, "eth_getTransactionReceipt");
});

test("the node cannot be reached: kept (it accepted the transaction)", async () => {
  const { upstream, sleep } = node({ mined: new Set(), pooled: new Set() });
  upstream.down = true;
  assert.equal([...await watchBroadcasts([A, B], upstream, { graceMs: 20, sleep })], []);
  // Reachable for the receipts, not for the pool lookup: still kept.
  const gone = fakeUpstream({
    eth_getTransactionReceipt: null,
    eth_getTransactionByHash: () => Promise.reject(new UpstreamUnavailableError("Cannot reach the node")),
  });
  assert.equal([...await watchBroadcasts([A], gone, { graceMs: 20, sleep })], []);
});

test.run();
