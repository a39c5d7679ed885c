import { test } from "uvu";
import * as assert from "uvu/assert";
import { toHex, type Hex } from "viem";
import { rpc } from "../../helpers/rpc.ts";
import { startFleetFixture, startLaggingNode, type FleetFixture } from "./fleet_fixture.ts";

// Issue 13: two instances, one account, each on its own node endpoint; the second endpoint lags (it answers the
// pending nonce with the latest block's count, as a provider balancing over nodes without a shared pool can).
// Anvil mines every second, so the pending pool is never empty while sends go on. Without a shared lease the
// second instance would take nonces the first already has in the pool ("nonce too low", or a replacement); with
// the DynamoDB lease, neither happens.
let f: FleetFixture;
let account: Hex;

test.before(async () => {
  f = await startFleetFixture({
    instances: 2,
    anvilArgs: ["--block-time", "1"],
    upstream: (i, anvilUrl) => (i === 1 ? startLaggingNode(anvilUrl) : undefined),
  });
  account = await f.addKey("fleet");
});
test.after(() => f?.stop());

const COUNT = 200;
const to: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

test(`${COUNT} concurrent sends over two instances (the second's node lags): all mined, nonces contiguous, no client sees nonce too low or a replacement`, async () => {
  const lagging = await rpc(f.instances[1]!.upstreamUrl, { jsonrpc: "2.0", id: 1, method: "eth_getTransactionCount", params: [account, "pending"] });
  assert.is(lagging.json.result, "0x0");
  const replies = await Promise.all(Array.from({ length: COUNT }, (_, i) =>
    rpc(f.instances[i % 2]!.url, { jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [{ from: account, to, value: toHex(i + 1) }] })
  ));
  assert.equal(replies.filter((r) => r.json?.error).map((r) => r.json.error), [], "every client got a hash");
  const hashes = replies.map((r) => r.json.result as Hex);
  assert.is(new Set(hashes).size, COUNT);
  const lookup = async (method: string) => {
    const out: any[] = [];
    for (let i = 0; i < COUNT; i += 100) {
      const { json } = await rpc(f.nodeUrl, hashes.slice(i, i + 100).map((hash, j) => ({ jsonrpc: "2.0", id: i + j, method, params: [hash] })));
      out.push(...json.map((r: any) => r.result));
    }
    return out;
  };
  let receipts: any[] = [];
  for (let attempt = 0; attempt < 300; attempt++) {
    receipts = await lookup("eth_getTransactionReceipt");
    if (receipts.every((r) => r)) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  assert.ok(receipts.every((r) => r?.status === "0x1"), `${receipts.filter((r) => !r).length} not mined`);
  const txs = await lookup("eth_getTransactionByHash");
  assert.equal(txs.map((tx) => Number(tx.nonce)).sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i), "nonces 0..199, each once");
  assert.equal(txs.map((tx) => Number(tx.value)).sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i + 1), "every send is its own transaction: none replaced");
  const metrics = (await Promise.all(f.instances.map(async (instance) => (await fetch(`${instance.url}/metrics`)).text()))).join("\n");
  // Without the lease the lagging instance takes nonces already in the pool: the node refuses them or one replaces
  // another, and the senders quietly send again with fresh nonces (clients do not see it; these counters do).
  const repairs = metrics.match(/^rpc_proxy_(replaced_resends|nonce_gap_fills|nonce_resyncs)_total [1-9].*$/gm) ?? [];
  assert.equal(repairs, [], "no nonce reported used, no replacement, no gap, on either instance");
  assert.match(metrics, /rpc_proxy_state_duration_seconds_count\{operation="UpdateItem",outcome="ok"\} [1-9]/, "the nonces were leased");
});

test.run();
