import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToString, keccak256, toHex, type Hex } from "viem";
import type { TransactionParams } from "../../../signer/protocol/messages.ts";
import { UpstreamRpcError } from "../../../rpc-proxy/jsonrpc/rpc_error.ts";
import { createTransactionSender, type CreateTransactionSenderOptions } from "../../../rpc-proxy/transactions/create_transaction_sender.ts";
import { UpstreamUnavailableError } from "../../../rpc-proxy/upstream/create_upstream.ts";
import { ANVIL_LIKE, fakeUpstream } from "../fakes.ts";

const from: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const to: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const transfer = (value: number): TransactionParams => ({ chainId: "0x7a69", type: "0x2", to, value: toHex(value), gas: "0x5208" });

type Sent = TransactionParams & { from: Hex };
/** The fake "raw transaction": the signed fields as hex JSON, so the node can read them back. */
const sign = async (signer: Hex, tx: TransactionParams): Promise<Hex> => toHex(JSON.stringify({ from: signer, ...tx }));
const read = (raw: Hex): Sent => JSON.parse(hexToString(raw));

/**
 * A node holding the account's transactions by hash (each mined at once in a block of its own); its pending count
 * is, as on geth and Anvil, the next nonce past the gap-free run of what it holds, from 5.
 * `refuse` may answer a raw transaction with an error message; `drop` makes the node forget one it accepted.
 */
function chain(hooks: { refuse?: (tx: Sent) => string | undefined; drop?: (tx: Sent) => boolean } = {}) {
  const held = new Map<Hex, Sent>();
  const blocks: Hex[][] = [[]];
  const mine = (hash: Hex, tx: Sent) => (held.set(hash, tx), blocks.push([hash]));
  const block = (n: number) => (n < blocks.length ? { number: toHex(n), baseFeePerGas: "0x64", transactions: blocks[n] } : null);
  const broadcasts: number[][] = [];
  const pending = () => {
    const used = new Set([...held.values()].map((tx) => Number(tx.nonce)));
    let next = 5;
    while (used.has(next)) next++;
    return next;
  };
  const node = fakeUpstream({
    ...ANVIL_LIKE,
    eth_getBlockByNumber: ([tag]: unknown[]) => block(tag === "latest" ? blocks.length - 1 : Number(tag)),
    eth_maxPriorityFeePerGas: "0x7",
    eth_getTransactionCount: () => toHex(pending()),
    eth_sendRawTransaction: ([raw]: unknown[]) => {
      const tx = read(raw as Hex);
      const refused = hooks.refuse?.(tx);
      if (refused) throw new UpstreamRpcError({ code: -32000, message: refused });
      const hash = keccak256(raw as Hex);
      if (!hooks.drop?.(tx)) mine(hash, tx);
      return hash;
    },
    eth_getTransactionReceipt: ([hash]: unknown[]) => (held.has(hash as Hex) ? { status: "0x1" } : null),
    eth_getTransactionByHash: ([hash]: unknown[]) => held.get(hash as Hex) ?? null,
  });
  const batch = node.batch;
  node.batch = (calls) => {
    if (calls.every(([method]) => method === "eth_sendRawTransaction")) broadcasts.push(calls.map(([, [raw]]) => Number(read(raw as Hex).nonce)));
    return batch(calls);
  };
  const events: string[] = [];
  const options: CreateTransactionSenderOptions = {
    upstream: node, sign, sleep: async () => {},
    onResync: () => events.push("resync"), onReplaced: () => events.push("replaced"), onGapFilled: () => events.push("gap filled"),
    onRebroadcast: () => events.push("rebroadcast"),
  };
  /** The transaction the node holds for `hash`, as [nonce, value]. */
  const sent = (hash: Hex) => [Number(held.get(hash)!.nonce), Number(held.get(hash)!.value)];
  return { node, held, mine, broadcasts, events, options, sent };
}

test("concurrent sends get consecutive nonces from the node's pending count (read once), one broadcast batch per group, the node's hashes and fees", async () => {
  const { node, broadcasts, options, sent, held } = chain();
  const sender = createTransactionSender(options);
  const hashes = await Promise.all([1, 2, 3, 4].map((value) => sender.send(from, transfer(value))));
  assert.equal(hashes.map(sent), [[5, 1], [6, 2], [7, 3], [8, 4]]);
  // The first send goes at once; the three made meanwhile go together as the next group.
  assert.equal(broadcasts, [[5], [6, 7, 8]]);
  assert.is(node.calls.filter((c) => c.method === "eth_getTransactionCount" && c.params[1] === "pending").length, 1);
  // Watched by block: no receipt or lookup per transaction; the tip is read once for both groups.
  assert.equal(node.calls.filter((c) => ["eth_getTransactionReceipt", "eth_getTransactionByHash"].includes(c.method)), []);
  assert.is(node.calls.filter((c) => c.method === "eth_maxPriorityFeePerGas").length, 1);
  const tx = held.get(hashes[3]!)!;
  assert.equal([tx.maxFeePerGas, tx.maxPriorityFeePerGas, tx.from], ["0xcf", "0x7", from]); // 2 × 100 + 7
});

test("nextNonce() is past a group still on its way to the node, for the account whatever the case of its hex", async () => {
  const { options, sent } = chain();
  let release!: () => void;
  const signing = new Promise<void>((resolve) => (release = resolve));
  const sender = createTransactionSender({ ...options, sign: async (signer, tx) => (await signing, sign(signer, tx)) });
  assert.is(sender.nextNonce(from, "0x7a69"), undefined);
  const first = sender.send(from, transfer(1));
  const more = [2, 3].map((value) => sender.send(from, { ...transfer(value), chainId: "0x7A69" }));
  await new Promise((resolve) => setTimeout(resolve, 10));
  // Nonce 5 is being signed, so the node's pending count is still 5; eth_signTransaction must not take it.
  assert.is(sender.nextNonce(from.toLowerCase() as Hex, "0x7A69"), 6);
  assert.is(sender.nextNonce(to, "0x7a69"), undefined);
  release();
  assert.equal([await first, ...(await Promise.all(more))].map(sent), [[5, 1], [6, 2], [7, 3]]);
  assert.is(sender.nextNonce(from, "0x7a69"), 8);
});

test("a caller's nonce goes through the same group and broadcast, keeps its nonce, is never retried and leaves the sequence alone", async () => {
  const { options, sent, broadcasts, events } = chain({ refuse: (tx) => (tx.nonce === "0x9" ? "nonce too low: next nonce 10, tx nonce 9" : undefined) });
  const signed: Hex[] = [];
  const sender = createTransactionSender({ ...options, sign: async (signer, tx) => (signed.push(tx.nonce!), sign(signer, tx)) });
  const [auto, fixed] = await Promise.all([sender.send(from, transfer(1)), sender.send(from, { ...transfer(2), nonce: "0x6" })]);
  assert.equal([sent(auto), sent(fixed)], [[5, 1], [6, 2]]);
  // The caller's nonce is not this sender's: the next automatic send still takes 6 from the sequence, and
  // the node (whose pending count is now 7) moves it past.
  assert.equal(sent(await sender.send(from, transfer(3))), [7, 3]);
  const refused = await sender.send(from, { ...transfer(4), nonce: "0x9" }).then(() => undefined, (error) => error);
  assert.match(String(refused?.message), /nonce too low/);
  assert.equal(events, [], "a caller's used nonce is the caller's error: no resync, no retry");
  assert.equal(signed.filter((n) => n === "0x9"), ["0x9"], "signed once");
  assert.is(sender.nextNonce(from, "0x7a69"), 8);
  assert.equal(broadcasts.flat().filter((n) => n === 9), [9]);
});

test("a nonce the node says is used: sent again with a later nonce, and resolves", async () => {
  const { options, sent, events } = chain({ refuse: (tx) => (tx.nonce === "0x6" ? "nonce too low: next nonce 8, tx nonce 6" : undefined) });
  const sender = createTransactionSender(options);
  const hashes = await Promise.all([1, 2, 3].map((value) => sender.send(from, transfer(value))));
  assert.equal(hashes.map(sent), [[5, 1], [8, 2], [7, 3]]);
  assert.equal(events, ["resync"]);
});

test("a send the node refuses fails alone, and a send made meanwhile takes its nonce", async () => {
  const later: Promise<Hex>[] = [];
  const { options, sent, held } = chain({
    refuse: (tx) => {
      if (tx.value !== "0x2") return undefined;
      later.push(sender.send(from, transfer(5)));
      return "insufficient funds for gas * price + value";
    },
  });
  const sender = createTransactionSender(options);
  const outcomes = await Promise.allSettled([1, 2, 3, 4].map((value) => sender.send(from, transfer(value))));
  const refused = outcomes[1]!;
  assert.ok(refused.status === "rejected" && refused.reason instanceof UpstreamRpcError);
  assert.is((refused.reason as UpstreamRpcError).error.message, "insufficient funds for gas * price + value");
  const kept = outcomes.filter((o): o is PromiseFulfilledResult<Hex> => o.status === "fulfilled").map((o) => sent(o.value));
  assert.equal(kept, [[5, 1], [7, 3], [8, 4]]);
  assert.equal(sent(await later[0]!), [6, 5]);
  assert.equal([...held.values()].map((tx) => Number(tx.nonce)).sort((a, b) => a - b), [5, 6, 7, 8]);
});

test("a refused send that was last in its group: the next send takes the same nonce, and nothing fills it", async () => {
  const { options, sent, events, held } = chain({ refuse: (tx) => (tx.value === "0x3" ? "insufficient funds" : undefined) });
  const sender = createTransactionSender(options);
  const outcomes = await Promise.allSettled([1, 2, 3].map((value) => sender.send(from, transfer(value))));
  assert.equal(outcomes.map((o) => o.status), ["fulfilled", "fulfilled", "rejected"]);
  assert.equal(sent(await sender.send(from, transfer(4))), [7, 4]);
  assert.equal([events, held.size], [[], 3]);
});

test("a refused send between two accepted ones and no send after it: a 0-value transaction to self fills its nonce", async () => {
  const { options, held, events } = chain({ refuse: (tx) => (tx.value === "0x2" ? "insufficient funds" : undefined) });
  const sender = createTransactionSender(options);
  await Promise.allSettled([1, 2, 3].map((value) => sender.send(from, transfer(value))));
  for (let i = 0; i < 100 && !events.includes("gap filled"); i++) await new Promise((later) => setTimeout(later, 5));
  assert.equal(events, ["gap filled"]);
  const filler = [...held.values()].find((tx) => tx.nonce === "0x6");
  assert.equal(filler && [filler.from, filler.to, filler.value, filler.gas, filler.maxFeePerGas], [from, from, "0x0", "0x5208", "0xcf"]);
});

test("a transaction replaced by another sender's for its nonce is sent again with a new nonce, and the caller gets the new hash", async () => {
  let rival: ((tx: Sent) => void) | undefined;
  const { options, sent, events, mine } = chain({ drop: (tx) => (tx.nonce === "0x5" ? (rival?.(tx), true) : false) });
  rival = (tx) => mine(keccak256(toHex("rival")), { ...tx, value: "0x63" }); // the node now holds the rival's
  const sender = createTransactionSender(options);
  const hash = await sender.send(from, transfer(1));
  assert.equal(sent(hash), [6, 1]);
  assert.equal(events, ["replaced"]);
});

test("a transaction the node evicts after accepting it (nothing else takes its nonce) is broadcast again, the same bytes: the caller's hash is mined", async () => {
  let drops = 1;
  const { options, sent, events, broadcasts } = chain({ drop: () => drops-- > 0 });
  const sender = createTransactionSender(options);
  const hash = await sender.send(from, transfer(1));
  assert.equal(sent(hash), [5, 1]);
  assert.equal(events, ["rebroadcast"]);
  assert.equal(broadcasts, [[5], [5]], "broadcast by the sender, then the same bytes again by the watch");
});

test("the node down when a group starts: its sends fail with UpstreamUnavailableError; once it is back, sends work", async () => {
  const { node, options, sent } = chain();
  const sender = createTransactionSender(options);
  node.down = true;
  const outcomes = await Promise.allSettled([1, 2].map((value) => sender.send(from, transfer(value))));
  assert.ok(outcomes.every((o) => o.status === "rejected" && o.reason instanceof UpstreamUnavailableError));
  node.down = false;
  assert.equal(sent(await sender.send(from, transfer(3))), [5, 3]);
});

test.run();
