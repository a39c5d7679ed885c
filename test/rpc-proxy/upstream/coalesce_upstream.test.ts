import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UpstreamRpcError } from "../../../rpc-proxy/jsonrpc/rpc_error.ts";
import { coalesceUpstream } from "../../../rpc-proxy/upstream/coalesce_upstream.ts";
import { createUpstream, UpstreamUnavailableError, type Upstream } from "../../../rpc-proxy/upstream/create_upstream.ts";
import { fakeUpstream } from "../fakes.ts";

type Call = { id: number; method: string; params: unknown[] };

// A node on 127.0.0.1 that records each body and answers with `answer` (by default: results in reverse order);
// CUT makes it close the connection halfway through its answer.
const CUT = Symbol("cut");
const reversed = (calls: Call[]) => calls.map((c) => ({ jsonrpc: "2.0", id: c.id, result: c.method } as Record<string, unknown>)).reverse();
const bodies: unknown[] = [];
let answer: (calls: Call[]) => unknown = reversed;
test.before.each(() => {
  answer = reversed;
  bodies.length = 0;
});
let server: Server;
let url: string;
test.before(async () => {
  server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => {
      const body = JSON.parse(text);
      bodies.push(body);
      const reply = answer(body);
      if (reply !== CUT) return void res.setHeader("content-type", "application/json").end(JSON.stringify(reply));
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" }).write('[{"jsonrpc":"2.0",');
      setTimeout(() => res.socket?.destroy(), 10);
    });
  });
  await new Promise<void>((listening) => server.listen(0, "127.0.0.1", listening));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(() => new Promise<void>((closed) => server.close(() => closed())));

test("createUpstream batch(): one POST with every call, answers matched by id whatever their order, an error only where the node gave one", async () => {
  const upstream = createUpstream(url);
  answer = (calls) => reversed(calls).map((r) => (r.id === calls[1]!.id ? { jsonrpc: "2.0", id: r.id, error: { code: -32000, message: "execution reverted" } } : r));
  const outcomes = await upstream.batch([["eth_chainId", []], ["eth_call", [{ to: "0x01" }, "latest"]], ["eth_blockNumber", []]]);
  await upstream.close();
  assert.is(bodies.length, 1);
  assert.equal((bodies[0] as Call[]).map((c) => [c.method, c.params]), [["eth_chainId", []], ["eth_call", [{ to: "0x01" }, "latest"]], ["eth_blockNumber", []]]);
  assert.equal(outcomes[0], { ok: true, result: "eth_chainId" });
  assert.equal(outcomes[2], { ok: true, result: "eth_blockNumber" });
  assert.ok(!outcomes[1]!.ok && outcomes[1]!.error instanceof UpstreamRpcError);
  assert.equal((outcomes[1] as { error: UpstreamRpcError }).error.error, { code: -32000, message: "execution reverted" });
});

test("createUpstream batch(): an answer that is not an array makes every outcome an error; a missing answer fails its call alone", async () => {
  const upstream = createUpstream(url);
  answer = () => ({ jsonrpc: "2.0", id: null, error: { code: -32600, message: "batch too large" } });
  const refused = await upstream.batch([["eth_chainId", []], ["eth_blockNumber", []]]);
  answer = () => ({ jsonrpc: "2.0", id: 1, result: "0x1" });
  const odd = await upstream.batch([["eth_chainId", []], ["eth_blockNumber", []]]);
  answer = (calls) => reversed(calls.slice(1));
  const [first, second] = await upstream.batch([["eth_chainId", []], ["eth_blockNumber", []]]);
  await upstream.close();
  assert.ok(refused.every((o) => !o.ok && o.error instanceof UpstreamRpcError && o.error.error.code === -32600));
  assert.ok(odd.every((o) => !o.ok && o.error instanceof UpstreamUnavailableError));
  assert.ok(!first!.ok && first!.error instanceof UpstreamUnavailableError);
  assert.equal(second, { ok: true, result: "eth_blockNumber" });
});

test("createUpstream batch(): a node that cannot be reached makes every outcome UpstreamUnavailableError", async () => {
  const closed = createUpstream("http://127.0.0.1:1");
  const outcomes = await closed.batch([["eth_chainId", []], ["eth_blockNumber", []]]);
  await closed.close();
  assert.ok(outcomes.length === 2 && outcomes.every((o) => !o.ok && o.error instanceof UpstreamUnavailableError));
});

// Fails at b749731: create_upstream.ts reads the body outside its try, so undici's SocketError comes through as is.
test("createUpstream batch(): a node that drops the connection mid-answer makes every outcome UpstreamUnavailableError", async () => {
  const upstream = createUpstream(url);
  answer = () => CUT;
  const outcomes = await upstream.batch([["eth_chainId", []], ["eth_blockNumber", []]]);
  await upstream.close();
  const errors = outcomes.map((o) => (o.ok ? "ok" : `${o.error.constructor.name}: ${o.error.message}`));
  assert.ok(outcomes.every((o) => !o.ok && o.error instanceof UpstreamUnavailableError), errors.join("; "));
});

/** The fake node, with every batch it is sent recorded; while `hold` is set, batches wait for it. */
function recorded() {
  const node = fakeUpstream({ eth_chainId: "0x7a69", eth_blockNumber: "0x5", eth_getBalance: ([address]: unknown[]) => `balance of ${address}` });
  const batches: string[][] = [];
  let held: Promise<void> | undefined;
  const batch: Upstream["batch"] = async (calls) => {
    batches.push(calls.map(([method]) => method));
    await held;
    return node.batch(calls);
  };
  /** Holds every batch sent from now on at the node; call the returned function to let them through. */
  const hold = () => {
    let release!: () => void;
    held = new Promise((done) => (release = done));
    return release;
  };
  return { node: { ...node, batch }, batches, hold };
}

/** Lets the event loop turn once, so that queued calls are flushed. */
const turn = () => new Promise((done) => setTimeout(done, 0));

test("createUpstream with batches off: batch() sends each call as its own request, for a node that refuses batches", async () => {
  const upstream = createUpstream(url, { batches: false });
  answer = (body) => {
    const call = body as unknown as Call;
    if (Array.isArray(body)) return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "batches are not supported" } };
    return call.method === "eth_call" ? { jsonrpc: "2.0", id: call.id, error: { code: -32000, message: "execution reverted" } } : { jsonrpc: "2.0", id: call.id, result: call.method };
  };
  const outcomes = await upstream.batch([["eth_chainId", []], ["eth_call", [{ to: "0x01" }, "latest"]]]);
  await upstream.close();
  assert.ok(bodies.length === 2 && bodies.every((b) => !Array.isArray(b)));
  assert.equal(outcomes[0], { ok: true, result: "eth_chainId" });
  assert.ok(!outcomes[1]!.ok && outcomes[1]!.error instanceof UpstreamRpcError && /execution reverted/.test(outcomes[1]!.error.message));
});

test("coalesceUpstream: requests made in the same turn go as one batch, each caller gets its own result", async () => {
  const { node, batches } = recorded();
  const upstream = coalesceUpstream(node);
  const results = await Promise.all([upstream.request("eth_chainId"), upstream.request("eth_getBalance", ["0xab"]), upstream.request("eth_blockNumber")]);
  assert.equal(results, ["0x7a69", "balance of 0xab", "0x5"]);
  assert.equal(batches, [["eth_chainId", "eth_getBalance", "eth_blockNumber"]]);
});

test("coalesceUpstream with maxInFlight 1: requests made while a batch is on its way go together in the next one", async () => {
  const { node, batches, hold } = recorded();
  const upstream = coalesceUpstream(node, { maxInFlight: 1 });
  const release = hold();
  const first = upstream.request("eth_chainId");
  await turn();
  const later = [upstream.request("eth_blockNumber"), upstream.request("eth_getBalance", ["0x01"])];
  await turn();
  assert.equal(batches, [["eth_chainId"]]);
  release();
  assert.equal(await Promise.all([first, ...later]), ["0x7a69", "0x5", "balance of 0x01"]);
  assert.equal(batches, [["eth_chainId"], ["eth_blockNumber", "eth_getBalance"]]);
});

test("coalesceUpstream: a call's error reaches only its caller", async () => {
  const { node, batches } = recorded();
  const upstream = coalesceUpstream(node);
  const [good, bad] = await Promise.allSettled([upstream.request("eth_chainId"), upstream.request("eth_nope")]);
  assert.equal(good, { status: "fulfilled", value: "0x7a69" });
  assert.ok(bad.status === "rejected" && bad.reason instanceof UpstreamRpcError && bad.reason.error.code === -32601);
  assert.is(batches.length, 1);
});

test("coalesceUpstream batch(): two groups' batches made in the same turn go as one, each settled whole and in order", async () => {
  const { node, batches } = recorded();
  const upstream = coalesceUpstream(node);
  const [first, second] = await Promise.all([
    upstream.batch([["eth_getBalance", ["0x01"]], ["eth_chainId", []]]),
    upstream.batch([["eth_getBalance", ["0x02"]]]),
  ]);
  assert.equal(batches, [["eth_getBalance", "eth_chainId", "eth_getBalance"]]);
  assert.equal(first, [{ ok: true, result: "balance of 0x01" }, { ok: true, result: "0x7a69" }]);
  assert.equal(second, [{ ok: true, result: "balance of 0x02" }]);
});

test("coalesceUpstream batch(): goes in its own lane, even while requests wait", async () => {
  const { node, batches, hold } = recorded();
  const upstream = coalesceUpstream(node, { maxInFlight: 1 });
  const release = hold();
  const held = upstream.request("eth_chainId");
  await turn();
  const waiting = upstream.request("eth_blockNumber");
  const own = upstream.batch([["eth_getBalance", ["0x02"]], ["eth_chainId", []]]);
  await turn();
  assert.equal(batches, [["eth_chainId"], ["eth_getBalance", "eth_chainId"]]);
  release();
  assert.equal(await own, [{ ok: true, result: "balance of 0x02" }, { ok: true, result: "0x7a69" }]);
  assert.equal(await Promise.all([held, waiting]), ["0x7a69", "0x5"]);
  assert.equal(batches.at(-1), ["eth_blockNumber"]);
});

test.run();
