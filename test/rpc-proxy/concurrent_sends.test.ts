import { test } from "uvu";
import * as assert from "uvu/assert";
import { toHex, type Hex } from "viem";
import { call, rpc } from "../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "./proxy_fixture.ts";

// 200 eth_sendTransaction at once from one account through one proxy (Anvil automine, real Deno signer); and
// the same through a proxy that sends no batches to the node (--upstream-batches off).
let f: ProxyFixture;
let unbatched: ProxyFixture;
test.before(async () => {
  [f, unbatched] = await Promise.all([startProxyFixture(), startProxyFixture({ upstreamBatches: false })]);
});
test.after(async () => {
  await Promise.all([f?.stop(), unbatched?.stop()]);
});

const COUNT = 200;
const to: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

async function concurrentSends(f: ProxyFixture) {
  const start = Number(await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]));
  const replies = await Promise.all(Array.from({ length: COUNT }, (_, i) =>
    rpc(f.url, { jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [{ from: f.account, to, value: toHex(i + 1) }] })
  ));
  const errors = replies.filter((r) => r.json?.error);
  assert.equal(errors.map((r) => r.json.error), []);
  const hashes = replies.map((r) => r.json.result as Hex);
  assert.is(new Set(hashes).size, COUNT);

  // One batch of lookups per 100 (the proxy's default batch limit) instead of 400 single requests.
  const lookup = async (method: string) => {
    const out: any[] = [];
    for (let i = 0; i < COUNT; i += 100) {
      const { json } = await rpc(f.url, hashes.slice(i, i + 100).map((hash, j) => ({ jsonrpc: "2.0", id: i + j, method, params: [hash] })));
      out.push(...json.map((r: any) => r.result));
    }
    return out;
  };
  let receipts: any[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    receipts = await lookup("eth_getTransactionReceipt");
    if (receipts.every((r) => r)) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  assert.ok(receipts.every((r) => r?.status === "0x1"), "not all mined with status 1");
  const txs = await lookup("eth_getTransactionByHash");
  const nonces = txs.map((tx) => Number(tx.nonce)).sort((a, b) => a - b);
  assert.equal(nonces, Array.from({ length: COUNT }, (_, i) => start + i));
  // Each request got its own transaction: the values 1…COUNT each appear once.
  assert.equal(txs.map((tx) => Number(tx.value)).sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i + 1));
  assert.is(Number(await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "latest"])), start + COUNT);
}

test(`${COUNT} concurrent eth_sendTransaction from one account: no errors, all mined, nonces exactly start…start+${COUNT - 1}`, () => concurrentSends(f));

test("the same through a proxy that sends the node no batches", () => concurrentSends(unbatched));

test.run();
