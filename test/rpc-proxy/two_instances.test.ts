import { test } from "uvu";
import * as assert from "uvu/assert";
import { toHex, type Hex } from "viem";
import { startLocalStack, type LocalStack } from "../../local/start_local_stack_node.ts";
import { call, rpc } from "../helpers/rpc.ts";
import { tempDir } from "../helpers/temp_dir.ts";

// Two whole stacks on one state directory and one node: two signers holding the same key (the second loads
// the first's key record through KMS), two proxies, each with its own transaction sender (nonces per account), sending from the same
// account at once. They only meet at the node, as instances behind a load balancer do.
let dir: Awaited<ReturnType<typeof tempDir>>;
let first: LocalStack;
let second: LocalStack;

test.before(async () => {
  dir = await tempDir("two-");
  first = await startLocalStack({ stateDir: dir.path, port: 0 });
  // Open the first proxy's signer connection now: it stays with the first signer process.
  await call(first.url, "eth_accounts");
  second = await startLocalStack({ stateDir: dir.path, upstreamUrl: first.upstreamUrl, port: 0 });
});
test.after(async () => {
  await second?.stop();
  await first?.stop();
  await dir.remove();
});

const COUNT = 200;
const to: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

test("both instances serve the same account", async () => {
  assert.equal(second.accounts, first.accounts);
  assert.equal(await call(second.url, "eth_accounts"), await call(first.url, "eth_accounts"));
});

test(`${COUNT} concurrent sends from one account, alternating between the two proxies: all mined, nonces exactly consecutive`, async () => {
  const account = first.accounts[0]!;
  const start = Number(await call<Hex>(first.upstreamUrl, "eth_getTransactionCount", [account, "pending"]));
  const replies = await Promise.all(Array.from({ length: COUNT }, (_, i) =>
    rpc(i % 2 === 0 ? first.url : second.url, { jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [{ from: account, to, value: toHex(i + 1) }] })
  ));
  assert.equal(replies.filter((r) => r.json?.error).map((r) => r.json.error), []);
  const hashes = replies.map((r) => r.json.result as Hex);
  assert.is(new Set(hashes).size, COUNT);
  const lookup = async (method: string) => {
    const out: any[] = [];
    for (let i = 0; i < COUNT; i += 100) {
      const { json } = await rpc(first.upstreamUrl, hashes.slice(i, i + 100).map((hash, j) => ({ jsonrpc: "2.0", id: i + j, method, params: [hash] })));
      out.push(...json.map((r: any) => r.result));
    }
    return out;
  };
  let receipts: any[] = [];
  for (let attempt = 0; attempt < 200; attempt++) {
    receipts = await lookup("eth_getTransactionReceipt");
    if (receipts.every((r) => r)) break;
    await new Promise((done) => setTimeout(done, 50));
  }
  assert.ok(receipts.every((r) => r?.status === "0x1"), `${receipts.filter((r) => !r).length} not mined`);
  const txs = await lookup("eth_getTransactionByHash");
  assert.equal(txs.map((tx) => Number(tx.nonce)).sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => start + i));
  assert.equal(txs.map((tx) => Number(tx.value)).sort((a, b) => a - b), Array.from({ length: COUNT }, (_, i) => i + 1));
});

test.run();
