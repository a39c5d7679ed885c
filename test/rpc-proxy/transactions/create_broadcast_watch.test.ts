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
  const pool = new Map<Hex, number>();
  const byRaw = new Map<Hex, { hash: Hex; nonce: number }>();
  const minedNonces = new Map<Hex, number>();
  let minedCount = start.mined;
  const state = { forget: false, pending: undefined as number | undefined };
  const upstream = fakeUpstream({
    eth_getBlockByNumber: ([tag]: unknown[]) => {
      const n = tag === "latest" ? blocks.length - 1 : Number(tag);
      return n < blocks.length ? { number: toHex(n), baseFeePerGas: toHex(100 + n), transactions: blocks[n] } : null;
    },
    eth_getTransactionByHash: ([hash]: unknown[]) => {
      const h = hash as Hex;
      if (minedNonces.has(h)) return { hash: h, blockNumber: "0x1" };
      return pool.has(h) ? { hash: h, blockNumber: null } : null;
    },
    // Pending, as geth and Anvil count it: past the run of nonces without a gap that the pool holds.
    eth_getTransactionCount: ([, tag]: unknown[]) => {
      if (tag === "latest") return toHex(minedCount);
      const held = new Set(pool.values());
      let next = minedCount;
      while (held.has(next)) next++;
      return toHex(state.pending ?? next);
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
      blocks.push(list.map((t) => t.hash));
    },
    emptyBlock: () => blocks.push([]),
    /** The latest block leaves the chain (a node restarted from an older state): its transactions are gone. */
    rewind() {
      for (const hash of blocks.pop()!) minedNonces.delete(hash);
      minedCount = Math.max(start.mined, ...[...minedNonces.values()].map((n) => n + 1));
    },
    asked: (method: string) => upstream.calls.filter((c) => c.method === method).length,
  };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.ok(condition(), "in time");
};

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

test("acknowledged, then lost (the node forgot it, its nonce not mined): the same bytes are broadcast again before the caller is answered, and it is mined", async () => {
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

test("one sender's broadcast lost right after the acknowledgement: unknown by hash, its nonce not mined, so broadcast again before the caller is answered", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  node.accept(A);
  node.pool.clear();
  assert.equal([...await watch.watch(from, [A], 20)], []);
  assert.equal(events, ["rebroadcast"]);
  assert.ok(node.pool.has(A.hash));
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

test("still in the pool at the end of the grace: one sender's looked up by hash (one call), and later by the account's counts until mined", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  node.accept(A);
  assert.equal([...await watch.watch(from, [A], 5)], []);
  assert.equal([node.asked("eth_getTransactionByHash"), node.asked("eth_getTransactionCount")], [1, 0], "the sender's grace ended: by hash alone");
  await until(() => node.asked("eth_getTransactionCount") >= 4); // two more looks (rebroadcastMs 30), kept: by the counts
  assert.is(node.asked("eth_getTransactionByHash"), 1);
  node.mine(A);
  await until(() => watch.unmined(from).length === 0);
  assert.equal(events, []);
});

test("a whole group past its grace costs one pair of counts, not a lookup per transaction", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  const group = Array.from({ length: 20 }, (_, i) => tx(5 + i));
  node.accept(...group);
  assert.equal([...await watch.watch(from, group, 10)], []);
  assert.is(node.asked("eth_getTransactionCount"), 2);
  assert.is(node.asked("eth_getTransactionByHash"), 0);
  assert.is(watch.unmined(from).length, 20);
});

test("mined in a block after the last one read when the grace ends: that block is read, no lookup by hash", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  await watch.latestBlock(0);
  node.accept(A, B);
  const verdict = watch.watch(from, [A, B], 20);
  // Mined only after the watch's last look before the grace ended (the node's count moves with it).
  const real = node.upstream.batch.bind(node.upstream);
  node.upstream.batch = async (calls) => {
    if (calls.some(([method]) => method === "eth_getTransactionCount") && watch.unmined(from).length === 2) node.mine(A, B);
    return real(calls);
  };
  assert.equal([...await verdict], []);
  assert.equal(watch.unmined(from), []);
  assert.is(node.asked("eth_getTransactionByHash"), 0);
  assert.equal(events, []);
});

test("in a block read before its sender added it (the node mined it while answering the broadcast): answered at once, nothing looked up", async () => {
  const node = chain();
  const { watch } = watchOn(node);
  node.accept(A, B);
  const first = watch.watch(from, [A], 5000);
  node.mine(A, B);
  assert.equal([...await first], []);
  assert.equal([...await watch.watch(from, [B], 5000)], []);
  assert.equal(watch.unmined(from), []);
  assert.is(node.asked("eth_getTransactionCount") + node.asked("eth_getTransactionByHash"), 0);
});

test("its block skipped (the node no longer serves it): its nonce mined, found by hash, done without a rebroadcast", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  await watch.latestBlock(0);
  node.accept(A);
  const verdict = watch.watch(from, [A], 20);
  node.mine(A);
  for (let i = 0; i < 40; i++) node.emptyBlock(); // more than the loop reads back
  assert.equal([...await verdict], []);
  assert.equal(watch.unmined(from), []);
  assert.is(node.asked("eth_getTransactionByHash"), 1);
  assert.equal(events, []);
});

test("a chain whose blocks come on their own clock: senders get their verdict from the counts, without reading the head while they wait", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  // Blocks every 300 ms, never in time for a sender's 20 ms grace.
  const timer = setInterval(() => node.mine(...[...node.pool].map(([hash, nonce]) => ({ hash, nonce }))), 300);
  try {
    let nonce = 5;
    for (let i = 0; i < 8; i++) {
      const t = tx(nonce++);
      node.accept(t);
      assert.equal([...await watch.watch(from, [t], 20)], []);
    }
    // Slow now: the next senders' graces pass with no head read at all.
    const reads = node.asked("eth_getBlockByNumber");
    const started = performance.now();
    for (let i = 0; i < 3; i++) {
      const t = tx(nonce++);
      node.accept(t);
      assert.equal([...await watch.watch(from, [t], 20)], []);
    }
    const elapsed = performance.now() - started;
    // At most the idle pace (every 500 ms) read the head meanwhile.
    assert.ok(node.asked("eth_getBlockByNumber") - reads <= 1 + Math.floor(elapsed / 500), `${node.asked("eth_getBlockByNumber") - reads} head reads in ${elapsed.toFixed(0)} ms`);
    await until(() => watch.unmined(from).length === 0);
  } finally {
    clearInterval(timer);
  }
});

test("seen mined, then its block left the chain (a node restarted from an older state): watched again, and the same bytes broadcast again", async () => {
  const node = chain();
  const { watch, events } = watchOn(node);
  node.accept(A);
  const verdict = watch.watch(from, [A], 5000);
  node.mine(A);
  assert.equal([...await verdict], []);
  assert.equal(watch.unmined(from), []);
  node.accept(B);
  watch.keep(from, [B]); // something still watched, so the watch goes on reading blocks
  node.rewind();
  await until(() => node.pool.has(A.hash));
  assert.ok(events.includes("rebroadcast"), events.join());
  assert.equal(watch.unmined(from), [5, 6]);
  node.mine(A, B);
  await until(() => watch.unmined(from).length === 0);
});

test("the node cannot be asked: kept (it accepted the transaction)", async () => {
  const node = chain();
  const { watch } = watchOn(node, { rebroadcastMs: 60_000 });
  node.accept(A);
  node.upstream.down = true;
  assert.equal([...await watch.watch(from, [A], 10)], []);
});

test.run();
