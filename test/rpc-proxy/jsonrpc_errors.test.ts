import { test } from "uvu";
import * as assert from "uvu/assert";
import { startTestStack } from "../helpers/test_stack.ts";
import { call, rpc } from "../helpers/rpc.ts";

// Bad input at the JSON-RPC layer against the real stack: each answer has its code, and the service goes on.
let stack: Awaited<ReturnType<typeof startTestStack>>;
test.before(async () => {
  stack = await startTestStack();
});
test.after(() => stack.stop());

test("a body that is not JSON is -32700 with id null", async () => {
  const { status, json } = await rpc(stack.url, "{not json");
  assert.is(status, 200);
  assert.equal(json, { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not valid JSON" } });
});

test("requests that are not JSON-RPC 2.0 are -32600, echoing the id when there is one", async () => {
  assert.is((await rpc(stack.url, { id: 4, method: "eth_chainId" })).json.error.code, -32600);
  assert.is((await rpc(stack.url, { id: 4, method: "eth_chainId" })).json.id, 4);
  assert.is((await rpc(stack.url, { jsonrpc: "2.0", id: 5, method: 7 })).json.error.code, -32600);
  assert.is((await rpc(stack.url, { jsonrpc: "2.0", id: { x: 1 }, method: "eth_chainId" })).json.error.code, -32600);
  assert.is((await rpc(stack.url, "42")).json.error.code, -32600);
  assert.is((await rpc(stack.url, [])).json.error.code, -32600);
});

test("an unknown method is passed through and the node's error comes back as it gave it", async () => {
  const { json } = await rpc(stack.url, { jsonrpc: "2.0", id: "a", method: "no_suchMethod", params: [] });
  assert.is(json.id, "a");
  assert.is(json.error.code, -32601);
});

test("eth_sendTransaction from an account the signer does not hold is 4100 and nothing is sent", async () => {
  const from = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  const nonce = () => call(stack.url, "eth_getTransactionCount", [from, "pending"]);
  const before = await nonce();
  const { json } = await rpc(stack.url, { jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from, to: stack.accounts[0], value: "0x1" }] });
  assert.is(json.error.code, 4100);
  assert.is(await nonce(), before);
});

test("malformed transaction params are -32602", async () => {
  const from = stack.accounts[0];
  const bad = async (params: unknown) => (await rpc(stack.url, { jsonrpc: "2.0", id: 1, method: "eth_signTransaction", params })).json.error.code;
  assert.is(await bad([]), -32602);
  assert.is(await bad(["0x00"]), -32602);
  assert.is(await bad([{ from: "0x12" }]), -32602);
  assert.is(await bad([{ from, to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1", data: "0x01", input: "0x02" }]), -32602);
  assert.is(await bad([{ from, to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1", chainId: "0x1" }]), -32602);
  assert.is(await bad([{ from, to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1", type: "0x7" }]), -32602);
  assert.is(await bad([{ from, to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "ten", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", nonce: "0x0" }]), -32602);
});

test("a batch answers every entry in order with its own id", async () => {
  const { json } = await rpc(stack.url, [
    { jsonrpc: "2.0", id: 1, method: "eth_chainId" },
    { jsonrpc: "2.0", id: 2, method: "eth_accounts" },
    { jsonrpc: "2.0", id: 3, method: "eth_blockNumber" },
    { bad: true },
  ]);
  assert.equal(json.map((r: any) => r.id), [1, 2, 3, null]);
  assert.is(json[0].result, "0x7a69");
  assert.equal(json[1].result, stack.accounts);
  assert.is(json[3].error.code, -32600);
});

test("after all of it the proxy still answers", async () => {
  assert.is(await call(stack.url, "eth_chainId"), "0x7a69");
});

test.run();
