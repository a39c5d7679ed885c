import { test } from "uvu";
import * as assert from "uvu/assert";
import { keccak256, parseTransaction, recoverMessageAddress, recoverTransactionAddress, recoverTypedDataAddress, stringToBytes, toHex, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createRpcProxy, type CreateRpcProxyOptions } from "../../rpc-proxy/create_rpc_proxy.ts";
import { parseApiKeys } from "../../rpc-proxy/auth/parse_api_keys.ts";
import { UpstreamRpcError } from "../../rpc-proxy/jsonrpc/rpc_error.ts";
import { ANVIL_LIKE, fakeSigner, fakeUpstream, TEST_KEY } from "./fakes.ts";

// The whole facade in-process with app.request(): the real handlers, a signer with the real signing methods
// over an in-memory key, and a scripted node.
const account = privateKeyToAccount(TEST_KEY).address;
const other: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

function proxy(options: Partial<CreateRpcProxyOptions> = {}, table: Record<string, unknown> = {}) {
  const signer = fakeSigner();
  const sent: Hex[] = [];
  const upstream = fakeUpstream({
    ...ANVIL_LIKE,
    eth_sendRawTransaction: (params: unknown[]) => {
      sent.push(params[0] as Hex);
      return keccak256(params[0] as Hex);
    },
    eth_getTransactionByHash: (params: unknown[]) => (sent.some((raw) => keccak256(raw) === params[0]) ? { blockNumber: "0x2" } : null),
    eth_getTransactionReceipt: null,
    ...table,
  });
  const lines: string[] = [];
  const app = createRpcProxy({ signer, upstream, log: (line) => lines.push(line), ...options });
  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await app.request("/", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? JSON.parse(text) : undefined };
  };
  const rpc = async (method: string, params: unknown[] = [], headers: Record<string, string> = {}) => (await post({ jsonrpc: "2.0", id: 1, method, params }, headers)).json;
  return { app, signer, upstream, sent, lines, post, rpc };
}

test("GET /healthz is up; GET /readyz is ready with the signer, the node and a key", async () => {
  const { app } = proxy();
  assert.equal(await (await app.request("/healthz")).json(), { status: "ok" });
  const ready = await app.request("/readyz");
  assert.is(ready.status, 200);
  const body = await ready.json();
  assert.is(body.ready, true);
  assert.equal([body.checks.signer.ready, body.checks.upstream.ready, body.checks.keys.ready], [true, true, true]);
});

test("GET /readyz is 503 and names the part that is not ready", async () => {
  const p = proxy();
  p.signer.down = true;
  let body = await (await p.app.request("/readyz")).json();
  assert.equal([body.ready, body.checks.signer.ready, body.checks.upstream.ready, body.checks.keys.ready], [false, false, true, false]);
  assert.match(body.checks.signer.detail, /Cannot reach the signer/);
  p.signer.down = false;
  p.upstream.down = true;
  const response = await p.app.request("/readyz");
  assert.is(response.status, 503);
  body = await response.json();
  assert.equal([body.checks.signer.ready, body.checks.upstream.ready], [true, false]);
  assert.match(body.checks.upstream.detail, /Cannot reach the node at http:\/\/fake-node/);
  const empty = createRpcProxy({ signer: fakeSigner([]), upstream: fakeUpstream(ANVIL_LIKE) });
  body = await (await empty.request("/readyz")).json();
  assert.equal([body.ready, body.checks.keys], [false, { ready: false, detail: "no keys loaded" }]);
});

test("personal_sign, eth_sign and eth_signTypedData_v4 return signatures that recover to the account", async () => {
  const { rpc } = proxy();
  const text = "hello enclave";
  const personal = await rpc("personal_sign", [toHex(text), account.toLowerCase()]);
  assert.is(await recoverMessageAddress({ message: text, signature: personal.result }), account);
  const plain = await rpc("personal_sign", ["not hex at all", account]);
  assert.is(await recoverMessageAddress({ message: "not hex at all", signature: plain.result }), account);
  const swapped = await rpc("personal_sign", [account, toHex(text)]);
  assert.is(swapped.result, personal.result);
  const ethSign = await rpc("eth_sign", [account, "0xdeadbeef"]);
  assert.is(await recoverMessageAddress({ message: { raw: "0xdeadbeef" }, signature: ethSign.result }), account);
  const typedData = {
    types: { EIP712Domain: [{ name: "name", type: "string" }, { name: "chainId", type: "uint256" }], Note: [{ name: "text", type: "string" }] },
    primaryType: "Note",
    domain: { name: "app", chainId: 31337 },
    message: { text: "hi" },
  };
  for (const form of [JSON.stringify(typedData), typedData]) {
    const signed = await rpc("eth_signTypedData_v4", [account, form]);
    assert.is(await recoverTypedDataAddress({ ...typedData, signature: signed.result } as never), account);
  }
});

test("typed data for another chain is refused with -32050 and the reason; malformed params are -32602", async () => {
  const { rpc } = proxy();
  const refused = await rpc("eth_signTypedData_v4", [account, { types: { Note: [{ name: "t", type: "string" }] }, primaryType: "Note", domain: { chainId: 1 }, message: { t: "x" } }]);
  assert.is(refused.error.code, -32050);
  assert.match(refused.error.data.reason, /domain chainId 1 does not match chain 31337/);
  assert.is((await rpc("eth_signTypedData_v4", [account, "{not json"])).error.code, -32602);
  assert.is((await rpc("eth_signTypedData_v4", [account, { types: {}, primaryType: "X" }])).error.code, -32602);
  assert.is((await rpc("eth_sign", [account, "hello"])).error.code, -32602);
  assert.is((await rpc("personal_sign", [toHex("x"), "0x12"])).error.code, -32602);
  assert.is((await rpc("personal_sign", [toHex("x"), other])).error.code, 4100);
});

test("eth_sendTransaction fills, signs and broadcasts; after 'nonce too low' it resyncs and retries", async () => {
  let pending = 0;
  let tooLow = 2;
  const p = proxy({}, {
    // The node counts what it accepted as pending.
    eth_getTransactionCount: ([, tag]: unknown[]) => toHex(pending + (tag === "pending" ? p.sent.length : 0)),
    eth_sendRawTransaction: (params: unknown[]) => {
      if (tooLow-- > 0) {
        pending++;
        throw new UpstreamRpcError({ code: -32000, message: "nonce too low" });
      }
      p.sent.push(params[0] as Hex);
      return keccak256(params[0] as Hex);
    },
  });
  const { result } = await p.rpc("eth_sendTransaction", [{ from: account, to: other, value: "0x1" }]);
  assert.is(p.sent.length, 1);
  assert.is(result, keccak256(p.sent[0]!));
  const tx = parseTransaction(p.sent[0]!);
  assert.is(tx.nonce, 2);
  assert.is(await recoverTransactionAddress({ serializedTransaction: p.sent[0]! as never }), account);
  const metrics = await (await p.app.request("/metrics")).text();
  assert.match(metrics, /^rpc_proxy_nonce_resyncs_total 2$/m);
});

test("a transaction the node drops right after accepting it (replaced by another sender) is sent again with a new nonce", async () => {
  let pending = 0;
  let dropped: Hex | undefined;
  const p = proxy({}, {
    // Another sender's transaction is mined at nonce 0 once ours is accepted: the node's latest count moves past it.
    eth_getTransactionCount: (params: unknown[]) => toHex(params[1] === "latest" ? Math.min(p.sent.length, 1) : pending),
    eth_sendRawTransaction: (params: unknown[]) => {
      p.sent.push(params[0] as Hex);
      pending++;
      return keccak256(params[0] as Hex);
    },
    eth_getTransactionByHash: (params: unknown[]) => {
      if (!dropped) dropped = params[0] as Hex; // another instance's transaction replaced the first one
      return params[0] === dropped ? null : { blockNumber: "0x2" };
    },
  });
  const { result } = await p.rpc("eth_sendTransaction", [{ from: account, to: other, value: "0x1" }]);
  assert.is(p.sent.length, 2);
  assert.is(result, keccak256(p.sent[1]!));
  assert.equal(p.sent.map((raw) => parseTransaction(raw).nonce), [0, 1]);
  assert.match(await (await p.app.request("/metrics")).text(), /^rpc_proxy_replaced_resends_total 1$/m);
});

test("signing and key methods of the node's own keystore are refused with 4200 naming what to use; the node is never asked", async () => {
  const p = proxy();
  const v3 = await p.rpc("eth_signTypedData_v3", [account, "{}"]);
  assert.is(v3.error.code, 4200);
  assert.match(v3.error.message, /Unsupported method: eth_signTypedData_v3 .*use eth_signTypedData_v4/);
  assert.is((await p.rpc("personal_sendTransaction", [{ from: account }, "password"])).error.code, 4200);
  assert.match((await p.rpc("personal_unlockAccount", [account, "password", 0])).error.message, /never leave the enclave/);
  assert.ok(!p.upstream.calls.some((c) => /^(eth_signTypedData|personal_)/.test(c.method)));
});

test("signer_attestation returns the signer's document as base64 and checks the nonce", async () => {
  const { rpc } = proxy();
  const { result } = await rpc("signer_attestation", ["0x0a0b"]);
  assert.equal([...Buffer.from(result, "base64")], [0xd2, 1, 2, 0x0a, 0x0b]);
  assert.is((await rpc("signer_attestation", ["0x"])).error.code, -32602);
  assert.is((await rpc("signer_attestation", ["0x123"])).error.code, -32602);
  assert.is((await rpc("signer_attestation", [`0x${"00".repeat(513)}`])).error.code, -32602);
  assert.is((await rpc("signer_attestation", [5])).error.code, -32602);
});

const keys = parseApiKeys([
  { name: "ops", key: "ops-key-000000000000", accounts: ["*"], methods: ["*"] },
  { name: "reader", key: "reader-key-000000000000", accounts: [other], methods: ["read", "sign"] },
]);

test("with API keys, a request without a valid key is 401 and nothing reaches the signer or the node", async () => {
  const p = proxy({ apiKeys: keys });
  for (const headers of [{}, { authorization: "Bearer wrong-key-0000000000" }, { authorization: "ops-key-000000000000" }]) {
    const reply = await p.post([{ jsonrpc: "2.0", id: 1, method: "personal_sign", params: ["0x00", account] }, { jsonrpc: "2.0", id: 2, method: "eth_blockNumber" }], headers);
    assert.is(reply.status, 401);
    assert.is(reply.headers.get("www-authenticate"), 'Bearer realm="rpc-proxy"');
    assert.equal(reply.json, { jsonrpc: "2.0", id: null, error: { code: 4100, message: "Unauthorized: a valid API key is required (Authorization: Bearer <key>)" } });
  }
  assert.equal(p.signer.calls, []);
  assert.equal(p.upstream.calls, []);
  const ok = await p.rpc("personal_sign", ["0x00", account], { authorization: "Bearer ops-key-000000000000" });
  assert.ok(ok.result);
});

test("an API key is limited to its method groups and accounts, entry by entry", async () => {
  const p = proxy({ apiKeys: keys });
  const reader = { authorization: "Bearer reader-key-000000000000" };
  const reply = await p.post([
    { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" },
    { jsonrpc: "2.0", id: 2, method: "eth_sendTransaction", params: [{ from: account, to: other }] },
    { jsonrpc: "2.0", id: 3, method: "personal_sign", params: ["0x00", account] },
    { jsonrpc: "2.0", id: 4, method: "signer_attestation", params: [] },
    { jsonrpc: "2.0", id: 5, method: "eth_accounts" },
    { jsonrpc: "2.0", id: 6, method: "eth_sendRawTransaction", params: ["0x00"] },
  ], reader);
  assert.is(reply.status, 200);
  assert.equal(reply.json.map((r: any) => r.error?.code ?? "ok"), ["ok", 4100, 4100, 4100, "ok", 4100]);
  assert.equal(reply.json[4].result, []);
  assert.not.ok(p.signer.calls.some((m) => m.startsWith("sign.")));
  assert.not.ok(p.upstream.calls.some((c) => c.method === "eth_sendRawTransaction"));
  const single = await p.post({ jsonrpc: "2.0", id: 7, method: "eth_sendRawTransaction", params: ["0x00"] }, reader);
  assert.is(single.json.error.code, 4100);
  assert.equal((await p.rpc("eth_accounts", [], { authorization: "Bearer ops-key-000000000000" })).result, [account]);
});

test("a body over the limit is HTTP 413; a batch over the limit is -32600; the proxy goes on", async () => {
  const p = proxy({ maxBodyBytes: 1000, maxBatchSize: 3 });
  const big = await p.post({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: ["x".repeat(2000)] });
  assert.is(big.status, 413);
  assert.is(big.json.error.code, -32600);
  // A declared length is judged from the header, before the body is read; a body without one as it streams in.
  for (const length of ["2000", "1001", "1e3", "-1"]) {
    const declared = await p.post({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }, { "content-length": length });
    assert.is(declared.status, 413, `content-length ${length}`);
  }
  const fits = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: ["x".repeat(900)] });
  assert.is((await p.post(JSON.parse(fits), { "content-length": String(fits.length) })).status, 200);
  const chunked = await p.app.request("/", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode(JSON.stringify({ id: 1, params: ["x".repeat(2000)] }))); c.close(); } }),
    duplex: "half",
  } as RequestInit);
  assert.is(chunked.status, 413);
  const batch = await p.post([1, 2, 3, 4].map((id) => ({ jsonrpc: "2.0", id, method: "eth_chainId" })));
  assert.is(batch.status, 200);
  assert.equal(batch.json.error.code, -32600);
  assert.is((await p.rpc("eth_chainId")).result, "0x7a69");
});

test("malformed bodies never throw out of the handler and never affect requests in flight", async () => {
  const p = proxy();
  const garbage = ["", "{", "[", "[[]]", "[{}]", "null", "true", '"x"', "1e999", '{"jsonrpc":"2.0","id":1,"method":"eth_sign","params":"x"}',
    '{"jsonrpc":"2.0","id":1,"method":"eth_sendTransaction","params":[null]}', '{"jsonrpc":"2.0","id":1,"method":"personal_sign","params":[{},{}]}',
    '{"jsonrpc":"2.0","id":1,"method":"eth_signTypedData_v4","params":[null,[]]}', '{"__proto__":{"x":1},"jsonrpc":"2.0","id":1,"method":"eth_chainId"}',
    '\u0000\u0001', "[".repeat(5000) + "]".repeat(5000)];
  const inFlight = p.rpc("personal_sign", [toHex("in flight"), account]);
  const replies = await Promise.all(garbage.map((body) => p.post(body)));
  for (const reply of replies) assert.ok(reply.status === 200 || reply.status === 204, `${reply.status} ${reply.text}`);
  assert.ok(replies.every((r) => r.json === undefined || JSON.stringify(r.json).includes('"jsonrpc":"2.0"')));
  assert.is(await recoverMessageAddress({ message: "in flight", signature: (await inFlight).result }), account);
});

test("CORS is off by default; with origins configured, only those are allowed", async () => {
  const closed = proxy();
  const preflight = { method: "OPTIONS", headers: { origin: "https://app.example", "access-control-request-method": "POST" } };
  assert.is((await closed.app.request("/", preflight)).headers.get("access-control-allow-origin"), null);
  const open = proxy({ corsOrigins: ["https://app.example"] });
  const allowed = await open.app.request("/", preflight);
  assert.is(allowed.headers.get("access-control-allow-origin"), "https://app.example");
  assert.match(allowed.headers.get("access-control-allow-headers") ?? "", /Authorization/i);
  const denied = await open.app.request("/", { ...preflight, headers: { ...preflight.headers, origin: "https://evil.example" } });
  assert.is(denied.headers.get("access-control-allow-origin"), null);
});

test("GET /metrics: requests by method and outcome, latencies, signer round trips, in-flight, rejections", async () => {
  const p = proxy({ apiKeys: keys });
  const ops = { authorization: "Bearer ops-key-000000000000" };
  await p.rpc("eth_chainId", [], ops);
  await p.rpc("eth_blockNumber", [], ops);
  await p.rpc("personal_sign", [toHex("m"), account], ops);
  await p.rpc("eth_sign", [account, "nothex"], ops);
  await p.rpc("eth_nope", [], ops);
  await p.rpc("eth_chainId");
  await p.post({ jsonrpc: "2.0", id: 1, method: "x".repeat(100) }, ops);
  const response = await p.app.request("/metrics");
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  for (const line of [
    'rpc_proxy_requests_total{method="eth_chainId",outcome="ok"} 1',
    'rpc_proxy_requests_total{method="eth_blockNumber",outcome="ok"} 1',
    'rpc_proxy_requests_total{method="personal_sign",outcome="ok"} 1',
    'rpc_proxy_requests_total{method="eth_sign",outcome="invalid_params"} 1',
    'rpc_proxy_requests_total{method="eth_nope",outcome="method_not_found"} 1',
    'rpc_proxy_requests_total{method="other",outcome="method_not_found"} 1',
    'rpc_proxy_http_rejections_total{reason="unauthenticated"} 1',
    'rpc_proxy_signing_duration_seconds_count{method="personal_sign"} 1',
    'rpc_proxy_signer_round_trip_seconds_count{method="sign.message",outcome="ok"} 1',
    'rpc_proxy_upstream_duration_seconds_count{method="eth_blockNumber",outcome="ok"} 1',
    "rpc_proxy_requests_in_flight 0",
    "rpc_proxy_nonce_resyncs_total 0",
  ]) assert.ok(text.split("\n").includes(line), `missing ${line}\n${text}`);
});

test("one JSON log line per request entry: method, account, outcome, duration; never keys or signed payloads", async () => {
  const p = proxy({ apiKeys: keys });
  const ops = { authorization: "Bearer ops-key-000000000000" };
  const sent = await p.rpc("eth_sendTransaction", [{ from: account.toLowerCase(), to: other, value: "0x5" }], ops);
  const signed = await p.rpc("personal_sign", [toHex("secret message"), account], ops);
  await p.post([{ jsonrpc: "2.0", id: "a", method: "eth_chainId" }, { jsonrpc: "2.0", method: "eth_chainId" }, 7], ops);
  await p.post({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }, { authorization: "Bearer nope-nope-nope-nope" });
  const lines = p.lines.map((l) => JSON.parse(l));
  assert.is(lines.length, 6);
  const summary = lines.map((l) => [l.event, l.method, l.account ?? "-", l.outcome, l.batchSize ?? 1].join(" "));
  assert.is(summary[0], `rpc eth_sendTransaction ${account} ok 1`);
  assert.is(summary[1], `rpc personal_sign ${account} ok 1`);
  // The batch's entries, in the order they finished.
  assert.equal(summary.slice(2, 5).sort(), ["rpc  - invalid_request 3", "rpc eth_chainId - ok 3", "rpc eth_chainId - ok 3"]);
  assert.is(summary[5], "http  - unauthenticated 1");
  assert.ok(lines.some((l) => l.notification === true && l.id === null));
  assert.ok(lines.every((l) => typeof l.durationMs === "number" && typeof l.time === "string"));
  assert.is(lines[0].apiKey, "ops");
  const all = p.lines.join("\n");
  for (const secret of ["ops-key-000000000000", "nope-nope", p.sent[0]!.slice(2, 60), signed.result.slice(2, 60), sent.result.slice(2), toHex("secret message").slice(2)]) {
    assert.not.ok(all.includes(secret), `log contains ${secret.slice(0, 16)}…`);
  }
});

test.run();
