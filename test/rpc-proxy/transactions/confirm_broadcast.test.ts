import { test } from "uvu";
import * as assert from "uvu/assert";
import { confirmBroadcast } from "../../../rpc-proxy/transactions/confirm_broadcast.ts";
import { fakeUpstream } from "../fakes.ts";

const hash = `0x${"ab".repeat(32)}` as const;
const noSleep = async () => {};

test("kept as soon as the transaction is mined", async () => {
  const upstream = fakeUpstream({ eth_getTransactionByHash: { blockNumber: "0x5" } });
  assert.is(await confirmBroadcast(hash, upstream, { graceMs: 100, sleep: noSleep }), "kept");
  assert.is(upstream.calls.length, 1);
});

test("kept when still in the pool after the grace time, having looked several times", async () => {
  const upstream = fakeUpstream({ eth_getTransactionByHash: { blockNumber: null } });
  assert.is(await confirmBroadcast(hash, upstream, { graceMs: 100, sleep: noSleep }), "kept");
  assert.is(upstream.calls.length, 5);
});

test("dropped when the node no longer knows it and has no receipt; kept if it was mined meanwhile", async () => {
  let looks = 0;
  const replaced = fakeUpstream({ eth_getTransactionByHash: () => (looks++ === 0 ? { blockNumber: null } : null), eth_getTransactionReceipt: null });
  assert.is(await confirmBroadcast(hash, replaced, { graceMs: 100, sleep: noSleep }), "dropped");
  const mined = fakeUpstream({ eth_getTransactionByHash: null, eth_getTransactionReceipt: { status: "0x1" } });
  assert.is(await confirmBroadcast(hash, mined, { graceMs: 100, sleep: noSleep }), "kept");
});

test.run();
