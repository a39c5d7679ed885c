import { test } from "uvu";
import * as assert from "uvu/assert";
import { toHex, type Hex } from "viem";
import { createBroadcastWatch, type CreateBroadcastWatchOptions } from "../../../rpc-proxy/transactions/create_broadcast_watch.ts";
import { UpstreamRpcError } from "../../../rpc-proxy/jsonrpc/rpc_error.ts";
import { fakeUpstream } from "../fakes.ts";

const from: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const tx = (nonce: number) => ({ hash: toHex(0xa0 + nonce, { size: 32 }), nonce, raw: toHex(0xf0 + nonce, { size: 4 }) });
const [A, B, C] = [tx(5), tx(6), tx(7)];

/**
 * A node with blocks of transaction hashes, a pool, and the account's mined and pending counts; a broadcast puts a
 * raw transaction's hash in the pool. Nothing is mined unless the test mines it (`mine`).
 */
function chain(start = { mined: 5 }) {
  const blocks: Hex[][] = [[]];
  /** Each block's hash; a node restarted from an older state makes new blocks with new hashes. */
  const hashes: Hex[] = [toHex(0xb0000, { size: 32 })];
  let generation = 0;
  const newBlock = (txs: Hex[]) => {
    blocks.push(txs);
    hashes.push(toHex(0xb0000 + 0x1000 * generation + blocks.length, { size: 32 }));
  };
  const pool = new Map<Hex, number>();
  const byRaw = new Map<Hex, { hash: Hex; nonce: number }>();
  const minedNonces = new Map<Hex, number>();
  let minedCount = start.mined;
  const state = { forget: false, pending: undefined as number | undefined };
  const upstream = fakeUpstream({
    eth_getBlockByNumber: ([tag]: unknown[]) => {
      const n = tag === "latest" ? blocks.length - 1 : Number(tag);
      return n < blocks.length ? { number: toHex(n), hash: hashes[n], parentHash: hashes[n - 1] ?? null, baseFeePerGas: toHex(100 + n), transactions: blocks[n] } : null;
    },
    eth_getTransactionByHash: ([hash]: unknown[]) => {
      const h = hash as Hex;
      if (minedNonces.has(h)) return { hash: h, blockNumber: "0x1" };
      return pool.has(h) ? { hash: h, blockNumber: null } : null;
    },
    // The pending count, as nodes give it: past the mined count and every nonce held in sequence after it.
    eth_getTransactionCount: ([, tag]: unknown[]) => {
      if (tag === "latest") return toHex(minedCount);
      let pending = minedCount;
      while ([...pool.values()].includes(pending)) pending++;
      return toHex(state.pending ?? pending);
    },
    eth_sendRawTransaction: ([raw]: unknown[]) => {
      const t = byRaw.get(raw as Hex)!;
      if (t.nonce < minedCount) throw new UpstreamRpcError({ code: -32000, message: "nonce too low" });
      pool.set(t.hash, t.nonce);
      return t.hash;
    },
  });
  return {
    upstream, pool, state,
    /** The node accepted these (as the sender's broadcast did). */
    accept: (...list: ReturnType<typeof tx>[]) => list.forEach((t) => (byRaw.set(t.raw, t), pool.set(t.hash, t.nonce))),
    /** A block with these hashes (and anything else's, e.g. a rival's, by nonce). */
    mine(...list: { hash: Hex; nonce: number }[]) {
      for (const t of list) {
        pool.delete(t.hash);
        minedNonces.set(t.hash, t.nonce);
        minedCount = Math.max(minedCount, t.nonce + 1);
      }
      newBlock(list.map((t) => t.hash));
    },
    emptyBlock: () => newBlock([]),
    /** The node restarted from a state of `height` blocks, without its pool: later blocks and what they held are gone. */
    restart(height: number) {
      for (const gone of blocks.splice(height).flat()) minedNonces.delete(gone);
      hashes.splice(height);
      pool.clear();
      generation++;
      minedCount = Math.max(start.mined, ...[...minedNonces.values()].map((n) => n + 1));
    },
    asked: (method: string) => upstream.calls.filter((c) => c.method === method).length,
  };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), "in time");
};

/** Watches `t` (accepted by the node, never mined) with `graceMs`; resolves with the blocks read while it waited. */
async function blockReadsWhileWaiting(node: ReturnType<typeof chain>, watch: ReturnType<typeof createBroadcastWatch>, t: ReturnType<typeof tx>, graceMs: number) {
  const before = node.asked("eth_getBlockByNumber");
  node.accept(t);
  assert.equal([...await watch.watch(from, [t], graceMs)], []);
  return node.asked("eth_getBlockByNumber") - before;
}

/** Sends nonces 5–8, each still pending when its 5 ms grace ends: the watch takes this chain for a slow one. */
async function teachSlowChain(node: ReturnType<typeof chain>, watch: ReturnType<typeof createBroadcastWatch>) {
  for (const t of [tx(5), tx(6), tx(7), tx(8)]) {
    node.accept(t);
    assert.equal([...await watch.watch(from, [t], 5)], []);
  }
}

/** `t` broadcast, mined, and seen in its block by the watch (its sender answered). */
async function seenMined(node: ReturnType<typeof chain>, watch: ReturnType<typeof createBroadcastWatch>, t: ReturnType<typeof tx>) {
  node.accept(t);
  const verdict = watch.watch(from, [t], 5000);
  node.mine(t);
  assert.equal([...await verdict], []);
}

function watchOn(node: ReturnType<typeof chain>, options: Partial<CreateBroadcastWatchOptions> = {}) {
  const events: string[] = [];
  const watch = createBroadcastWatch({
    upstream: node.upstream,
    rebroadcastMs: 30,
    onRebroadcast: () => events.push("rebroadcast"),
    onBehind: (account, pending, lowest) => events.push(`behind ${account === from} ${pending} ${lowest}`),
    onLost: (_, hash) => events.push(`lost ${hash}`),
    ...options,
  });
  return { watch, events };
}

test("mined: one eth_getBlockByNumber per new block covers every transaction in it; no lookup per transaction", async () => {
  const node = chain();
  const { watch } = watchOn(node);
  node.accept(A, B, C);
  const verdict = watch.watch(from, [A, B, C], 5000);
  node.mine(A, B, C);
  assert.equal([...await verdict], []);
  assert.is(node.asked("eth_getTransactionByHash"), 0);
  assert.ok(node.asked("eth_getBlockByNumber") <= 2, `${node.asked("eth_getBlockByNumber")} block reads`);
  assert.equal(watch.unmined(from), []);
});

test("blocks mined between two looks are read back, in one batch", async () => {
  const node = chain();
  const { watch } = watchOn(node);
  await watch.latestBlock(0);
  node.accept(A, B);
  const verdict = watch.watch(from, [A, B], 5000);
  node.mine(A);
  node.emptyBlock();
  node.mine(B);
  node.emptyBlock();
  assert.equal([...await verdict], []);
  assert.is(node.asked("eth_getTransactionByHash"), 0);
});

test("still in the pool after the grace: kept (the caller is answered), and watched until mined", async () => {
  const node = chain();
  const { watch, events } = watchOn(node, { rebroadcastMs: 60_000 });
  node.accept(A);
  assert.equal([...await watch.watch(from, [A], 20)], []);
  assert.equal(watch.unmined(from), [5]);
  node.mine(A);
  await until(() => watch.unmined(from).length === 0);
  assert.equal(events, []);
});

test("its nonce mined by another transaction and unknown to the node: replaced", async () => {
  const node = chain();
  const { watch } = watchOn(node);
  node.accept(A, B);
  const verdict = watch.watch(from, [A, B], 20);
  node.pool.delete(B.hash);
  node.mine(A, { hash: toHex(0xbeef, { size: 32 }), nonce: 6 });
  assert.equal([...await verdict], [B.hash]);
});

test("acknowledged, then lost (the node forgot it, its nonce not mined): the same bytes are broadcast again, and it is mined", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  node.accept(A, B);
  node.pool.clear(); // swallowed after the acknowledgement
  assert.equal([...await watch.watch(from, [A, B], 20)], []);
  assert.equal(events, ["rebroadcast", "rebroadcast"]);
  assert.ok(node.pool.has(A.hash) && node.pool.has(B.hash), "back in the pool, same hashes");
  node.mine(A, B);
  await until(() => watch.unmined(from).length === 0);
});

test("kept, then dropped from the pool later (a node restarted without it): found after a few blocks or a while, and broadcast again", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  node.accept(A);
  assert.equal([...await watch.watch(from, [A], 10)], []);
  node.pool.clear();
  node.emptyBlock();
  await until(() => events.includes("rebroadcast"));
  assert.ok(node.pool.has(A.hash));
});

test("the node's pending count below every unmined nonce: onBehind names the nonces to fill", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  node.accept(B, C);
  node.state.pending = 5; // nonce 5 lost with the node's pool, and not this watch's to send again
  void watch.watch(from, [B, C], 10);
  await until(() => events.some((e) => e.startsWith("behind")));
  assert.ok(events.includes("behind true 5 6"), events.join());
  node.state.pending = undefined;
  node.mine(A, B, C);
  await until(() => watch.unmined(from).length === 0);
});

test("latestBlock: the last block seen, read again only when older than asked", async () => {
  const node = chain();
  const { watch } = watchOn(node);
  assert.equal(await watch.latestBlock(1000), { baseFeePerGas: toHex(100) });
  node.emptyBlock();
  assert.equal(await watch.latestBlock(1000), { baseFeePerGas: toHex(100) });
  assert.equal(await watch.latestBlock(0), { baseFeePerGas: toHex(101) });
  assert.is(node.asked("eth_getBlockByNumber"), 2);
});

test("blocks that show a broadcast later than a sender's grace: the grace is stretched to wait for the block, no lookup per transaction", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  await watch.latestBlock(0);
  const mineLater = (t: typeof A) => setTimeout(() => node.mine(t), 100);
  // The first send learns how long this node takes to show a broadcast in a block…
  node.accept(A);
  mineLater(A);
  assert.equal([...await watch.watch(from, [A], 5000)], []);
  // …so a later one, whose sender asked for a 1 ms grace, waits for its block instead of being looked up.
  node.accept(B);
  mineLater(B);
  assert.equal([...await watch.watch(from, [B], 1)], []);
  assert.equal(watch.unmined(from), []);
  assert.is(node.asked("eth_getTransactionByHash"), 0);
});

test("kept and still in the pool: looked at again by the account's counts, not by hash, until mined", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  node.accept(A);
  assert.equal([...await watch.watch(from, [A], 5)], []);
  const byHash = node.asked("eth_getTransactionByHash");
  assert.is(byHash, 1, "the sender's grace ended: looked up once by hash");
  const counts = node.asked("eth_getTransactionCount");
  await until(() => node.asked("eth_getTransactionCount") >= counts + 4); // two more looks (rebroadcastMs 30)
  assert.is(node.asked("eth_getTransactionByHash"), byHash);
  node.mine(A);
  await until(() => watch.unmined(from).length === 0);
  assert.equal(events, []);
});

test("found by hash when the grace ends: the account's counts are not asked", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  node.accept(A, B);
  assert.equal([...await watch.watch(from, [A, B], 10)], []);
  assert.is(node.asked("eth_getTransactionByHash"), 2);
  assert.is(node.asked("eth_getTransactionCount"), 0);
});

test("a group of three or more past its grace: looked at by the account's two counts, with the verdicts of lookups by hash", async () => {
  const node = chain();
  const { watch, events } = watchOn(node, { rebroadcastMs: 60_000 });
  const [D, E] = [tx(8), tx(9)];
  node.accept(A, B, C, D, E);
  node.pool.delete(B.hash);
  node.mine(A, { hash: toHex(0xbeef, { size: 32 }), nonce: 6 }); // a rival took B's nonce
  node.pool.delete(E.hash); // lost by the node, its nonce not mined
  assert.equal([...await watch.watch(from, [A, B, C, D, E], 1)], [B.hash]);
  assert.equal(events, ["rebroadcast"]);
  assert.ok(node.pool.has(E.hash), "E broadcast again");
  assert.equal(watch.unmined(from), [7, 8, 9], "C, D (pending) and E (broadcast again) kept");
  // Pending ones were not looked up by hash; B and A (mined) were, once each, after the counts.
  assert.is(node.upstream.calls.filter((c) => c.method === "eth_getTransactionByHash" && (c.params[0] === C.hash || c.params[0] === D.hash)).length, 0);
});

test("a chain whose blocks come on their own clock: a waiting sender is looked up once when its grace ends, blocks are not polled while it waits", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  // Sends that are still pending when their grace ends teach the watch that this chain mines on its own clock…
  await teachSlowChain(node, watch);
  // …so a sender with a 200 ms grace costs one lookup, and at most one block read while it waits.
  const reads = await blockReadsWhileWaiting(node, watch, tx(9), 200);
  assert.ok(reads <= 1, `${reads} block reads while waiting`);
  assert.is(node.asked("eth_getTransactionCount"), 0);
  // The kept ones are still seen mined, from the blocks read every 500 ms.
  node.mine(tx(5), tx(6), tx(7), tx(8), tx(9));
  await until(() => watch.unmined(from).length === 0);
});

test("a slow chain that mines fast again (sends found mined when their grace ends): blocks are polled again while senders wait", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  await teachSlowChain(node, watch);
  node.mine(tx(5), tx(6), tx(7), tx(8));
  // Mined before each grace ends: found by the lookup at first…
  for (const t of [tx(9), tx(10), tx(11), tx(12)]) {
    node.accept(t);
    setTimeout(() => node.mine(t), 2);
    assert.equal([...await watch.watch(from, [t], 20)], []);
  }
  // …so blocks are read again every few milliseconds while a sender waits.
  const reads = await blockReadsWhileWaiting(node, watch, tx(13), 300);
  assert.ok(reads >= 3, `${reads} block reads while waiting`);
});

test("a chain that mines at each broadcast and now and then leaves a send pending past its grace still counts as fast", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  let nonce = 5;
  for (let round = 0; round < 6; round++) {
    const left = tx(nonce++);
    node.accept(left);
    assert.equal([...await watch.watch(from, [left], 5)], []);
    for (const t of [tx(nonce++), tx(nonce++)]) {
      node.accept(t);
      node.mine(t);
      assert.equal([...await watch.watch(from, [t], 1000)], []);
    }
  }
  const reads = await blockReadsWhileWaiting(node, watch, tx(nonce), 300);
  assert.ok(reads >= 3, `${reads} block reads while waiting`);
});

test("seen mined in a block that then left the chain (the node restarted from an older state): watched again, broadcast again", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  await seenMined(node, watch, A);
  assert.equal(watch.unmined(from), []);
  node.restart(1); // back to the genesis block: A's block is gone, and A with it
  // Noticed at the watch's next look at the chain (here: the next send's).
  node.accept(B);
  void watch.watch(from, [B], 20);
  await until(() => events.includes("rebroadcast"));
  assert.ok(node.pool.has(A.hash), "A broadcast again, the same bytes");
  assert.equal(watch.unmined(from), [5, 6]);
  node.mine(A, B);
  await until(() => watch.unmined(from).length === 0);
});

test("…and when the new chain is already taller than the old one when the watch looks: told apart by the block hashes", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  await seenMined(node, watch, A);
  node.restart(1);
  node.emptyBlock();
  node.emptyBlock();
  node.emptyBlock();
  node.accept(B);
  void watch.watch(from, [B], 20);
  await until(() => events.includes("rebroadcast"));
  assert.ok(node.pool.has(A.hash));
});

test("the node unreachable for a while, then back without what it held: every kept transaction is looked up at once", async () => {
  const node = chain();
  const { watch, events } = watchOn(node, { rebroadcastMs: 200, rebroadcastBlocks: 1000 });
  node.accept(A);
  assert.equal([...await watch.watch(from, [A], 5)], []);
  // While the node is away, each failed look doubles the wait before the next (200 ms, 400, 800, 1600…).
  node.upstream.down = true;
  await new Promise((resolve) => setTimeout(resolve, 2500));
  node.pool.clear(); // restarted without its pool
  node.upstream.down = false;
  const back = Date.now();
  while (!events.includes("rebroadcast") && Date.now() - back < 1000) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(events.includes("rebroadcast"), "broadcast again within a second of the node answering again");
  assert.ok(node.pool.has(A.hash));
});

test("the node cannot be asked: kept (it accepted the transaction)", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  node.accept(A);
  node.upstream.down = true;
  assert.equal([...await watch.watch(from, [A], 10)], []);
});

test.run();
