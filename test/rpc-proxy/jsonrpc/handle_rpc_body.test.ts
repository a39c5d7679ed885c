import { test } from "uvu";
import * as assert from "uvu/assert";
import { handleRpcBody, type RpcOutcome, type RpcRequest } from "../../../rpc-proxy/jsonrpc/handle_rpc_body.ts";
import { RpcError } from "../../../rpc-proxy/jsonrpc/rpc_error.ts";

// JSON-RPC 2.0 §4–§6 over one body, with a dispatch that echoes, fails or throws something unexpected.
const dispatch = async (request: RpcRequest) => {
  if (request.method === "echo") return request.params;
  if (request.method === "fail") throw new RpcError(-32602, "Invalid params: no");
  if (request.method === "crash") throw new Error("secret detail that must not leak");
  if (request.method === "nothing") return undefined;
  throw new RpcError(-32601, "Method not found");
};
const run = async (body: unknown, options = {}) => {
  const text = await handleRpcBody(typeof body === "string" ? body : JSON.stringify(body), dispatch, options);
  return text === undefined ? undefined : JSON.parse(text);
};

test("a single request is answered with its id, result null when the handler returns nothing", async () => {
  assert.equal(await run({ jsonrpc: "2.0", id: "x", method: "echo", params: [1] }), { jsonrpc: "2.0", id: "x", result: [1] });
  assert.equal(await run({ jsonrpc: "2.0", id: 0, method: "nothing" }), { jsonrpc: "2.0", id: 0, result: null });
  assert.equal(await run({ jsonrpc: "2.0", id: null, method: "echo", params: [] }), { jsonrpc: "2.0", id: null, result: [] });
});

test("a batch mixing valid, invalid, failing and notification entries answers each in order with its id", async () => {
  const reply = await run([
    { jsonrpc: "2.0", id: 1, method: "echo", params: ["a"] },
    { jsonrpc: "2.0", method: "echo", params: ["notification"] },
    { jsonrpc: "2.0", id: 2, method: "fail" },
    "not an object",
    { jsonrpc: "1.0", id: 3, method: "echo" },
    { jsonrpc: "2.0", id: 4, method: "crash" },
    { jsonrpc: "2.0", method: "crash" },
    { jsonrpc: "2.0", id: 5, method: "echo", params: 7 },
    { jsonrpc: "2.0", id: [6], method: "echo" },
    { jsonrpc: "2.0", id: 7, method: "echo", params: { named: true } },
  ]);
  assert.equal(reply, [
    { jsonrpc: "2.0", id: 1, result: ["a"] },
    { jsonrpc: "2.0", id: 2, error: { code: -32602, message: "Invalid params: no" } },
    { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request: expected an object" } },
    { jsonrpc: "2.0", id: 3, error: { code: -32600, message: 'Invalid request: jsonrpc must be "2.0"' } },
    { jsonrpc: "2.0", id: 4, error: { code: -32603, message: "Internal error" } },
    { jsonrpc: "2.0", id: 5, error: { code: -32600, message: "Invalid request: params must be an array or an object" } },
    { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request: id must be a string, number or null" } },
    { jsonrpc: "2.0", id: 7, result: { named: true } },
  ]);
});

test("notifications get no reply; a body of only notifications gets nothing at all", async () => {
  assert.is(await run({ jsonrpc: "2.0", method: "echo", params: [] }), undefined);
  assert.is(await run({ jsonrpc: "2.0", method: "fail" }), undefined);
  assert.is(await run([{ jsonrpc: "2.0", method: "echo" }, { jsonrpc: "2.0", method: "crash" }]), undefined);
});

test("parse errors, empty batches and oversized batches are one error with id null", async () => {
  assert.equal(await run("[{"), { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not valid JSON" } });
  assert.equal(await run(""), { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not valid JSON" } });
  assert.equal(await run([]), { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request: empty batch" } });
  const three = [1, 2, 3].map((id) => ({ jsonrpc: "2.0", id, method: "echo" }));
  assert.equal(await run(three, { maxBatchSize: 2 }), { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request: batch of 3 exceeds the limit of 2" } });
  assert.is((await run(three, { maxBatchSize: 3 })).length, 3);
  assert.equal(await run("null"), { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request: expected an object" } });
});

test("the fast path forwards a single request with an id as is, and only that", async () => {
  const forwarded: string[] = [];
  const forward = (_request: RpcRequest, body: string) => {
    forwarded.push(body);
    return Promise.resolve('{"jsonrpc":"2.0","id":9,"result":"0x1"}');
  };
  const body = '{"jsonrpc":"2.0","id":9,"method":"eth_blockNumber","params":[],"extra":1}';
  assert.is(await handleRpcBody(body, dispatch, { forward }), '{"jsonrpc":"2.0","id":9,"result":"0x1"}');
  assert.equal(forwarded, [body]);
  await handleRpcBody('{"jsonrpc":"2.0","method":"echo"}', dispatch, { forward });
  await handleRpcBody('[{"jsonrpc":"2.0","id":1,"method":"echo"}]', dispatch, { forward });
  assert.is(forwarded.length, 1);
});

test("onOutcome sees every entry once: the request, its error, the entry's account and the batch size", async () => {
  const outcomes: RpcOutcome[] = [];
  const withAccount = async (request: RpcRequest, entry: { account?: string }) => {
    entry.account = "0xabc";
    return dispatch(request);
  };
  await handleRpcBody(JSON.stringify([
    { jsonrpc: "2.0", id: 1, method: "echo" },
    { jsonrpc: "2.0", method: "fail" },
    42,
  ]), withAccount, { onOutcome: (o) => outcomes.push(o) });
  const seen = outcomes.map((o) => [o.request?.method ?? "(invalid)", o.error?.code, o.entry.account, o.batchSize]);
  assert.equal(seen.sort((a, b) => String(a[0]).localeCompare(String(b[0]))), [
    ["(invalid)", -32600, undefined, 3],
    ["echo", undefined, "0xabc", 3],
    ["fail", -32602, "0xabc", 3],
  ]);
  assert.ok(outcomes.every((o) => o.durationMs >= 0));
});

test.run();
