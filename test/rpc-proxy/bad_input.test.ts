import { Agent, request } from "node:http";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { toHex, type Hex } from "viem";
import { call, rpc } from "../helpers/rpc.ts";
import { ADMIN_A, approve, NEXT_YEAR } from "../helpers/policy_admins.ts";
import { seededRandom } from "../helpers/seeded_random.ts";
import { startProxyFixture, type ProxyFixture } from "./proxy_fixture.ts";

// Seeded bad input for every method the proxy answers itself, alone, in batches and as notifications, against
// real Anvil and the real signer: every bad entry gets a JSON-RPC error with a documented code and a clean
// message, nothing is broadcast, and the proxy goes on serving with its state intact. The same seed sends the
// same requests on every run.
let f: ProxyFixture;
let accountsBefore: Hex[];
let nonceBefore: Hex;
/** A governed key with a policy in force (issue 12), for signer_policy and signer_checkPolicy. */
let governed: Hex;
let policyBefore: unknown;
test.before(async () => {
  f = await startProxyFixture();
  governed = (await f.signer.request("keys.generate", { label: "governed", governance: { admins: [ADMIN_A.address.toLowerCase() as Hex], threshold: 1 } })).address;
  const document = {
    version: 1, account: governed, sequence: 1, notAfter: NEXT_YEAR,
    rules: [{ id: "pay", effect: "allow", action: "transaction", to: [to] }, { id: "gm", effect: "allow", action: "message", prefix: "gm" }],
    limits: [{ id: "day", window: 86400, maxCount: 1000 }],
  };
  await f.signer.request("policy.apply", { document: JSON.stringify(document), approvals: await approve(document, [ADMIN_A]) });
  policyBefore = await call(f.url, "signer_policy", [governed]);
  accountsBefore = await call<Hex[]>(f.url, "eth_accounts");
  nonceBefore = await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]);
});
test.after(() => f.stop());

const SEED = 0x5eed_1234;
const to: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
/** Anvil dev account #0: a valid address the signer does not hold. */
const stranger: Hex = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
const DEEP = 10_000;

/** JSON text spliced into a body as is (`toJson`): nesting deeper than JSON.stringify can write. */
const RAW = Symbol("raw JSON");
type Raw = { readonly [RAW]: true; readonly text: string };
const raw = (text: string): Raw => ({ [RAW]: true, text });
const deepArray = (depth: number) => raw(`${"[".repeat(depth)}1${"]".repeat(depth)}`);
const deepObject = (depth: number) => raw(`${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`);

/** JSON.stringify, with each Raw written as its text. */
function toJson(value: unknown): string {
  const raws: string[] = [];
  const isRaw = (v: unknown): v is Raw => typeof v === "object" && v !== null && RAW in v;
  const text = JSON.stringify(value, (_key, v) => (isRaw(v) ? `\u0000raw${raws.push(v.text) - 1}\u0000` : v));
  return text.replace(/"\\u0000raw(\d+)\\u0000"/g, (_m, i: string) => raws[Number(i)]!);
}

const huge = "x".repeat(100_000);
const hugeHex = `0x${"ab".repeat(50_000)}`;
const seventyDigits = `0x${"f".repeat(70)}`;
/** Values no field accepts. */
const GARBAGE: readonly unknown[] = [0, -1, 1.5, true, false, [], [1], {}, { a: 1 }, "", "0xzz", "zz", "\u0000", "🦀", deepArray(DEEP), deepObject(DEEP)];
/** Bad values per kind of field; none of them is valid for that kind (null is "absent" and left out). */
const BAD = {
  quantity: [...GARBAGE, "0x", "0x123g", "-0x1", "-1", "1e18", "ten", seventyDigits, huge],
  address: [...GARBAGE, "0x", "0x123", `0x${"zz".repeat(20)}`, `0x${"f".repeat(39)}`, `0x${"f".repeat(42)}`, seventyDigits, huge],
  bytes: [0, true, [], {}, "0x123", "0xzz", "zz", huge, deepArray(DEEP)],
  type: ["0x7", "0x", 2, "eip1559", "-0x1", seventyDigits, []],
  list: ["x", 1, true, {}, [1], ["x"], [{}], [null], deepArray(DEEP)],
} as const;
const TX_FIELDS: Readonly<Record<string, readonly unknown[]>> = {
  from: BAD.address,
  to: BAD.address,
  value: BAD.quantity,
  gas: BAD.quantity,
  gasPrice: BAD.quantity,
  maxFeePerGas: BAD.quantity,
  maxPriorityFeePerGas: BAD.quantity,
  nonce: BAD.quantity,
  chainId: [...BAD.quantity, "0x1"],
  data: BAD.bytes,
  input: BAD.bytes,
  type: BAD.type,
  accessList: BAD.list,
  authorizationList: [...BAD.list, [], [{ chainId: "0x7a69", address: to, nonce: "0x0" }]],
  blobVersionedHashes: [...BAD.list, [], ["0x01"], [seventyDigits]],
  blobs: BAD.list,
};
const typedData = {
  types: { EIP712Domain: [{ name: "chainId", type: "uint256" }], Mail: [{ name: "to", type: "address" }, { name: "body", type: "string" }] },
  primaryType: "Mail",
  domain: { chainId: "0x7a69" },
  message: { to, body: "gm" },
};
/** Well-formed, for another chain: refused by the signer's policy (-32050). */
const otherChain = { ...typedData, domain: { chainId: "0x1" } };
/** Typed data with one part missing or garbage. */
const BAD_TYPED_DATA: readonly unknown[] = [
  ...GARBAGE.filter((v) => typeof v !== "string"),
  "{not json",
  "null",
  huge,
  { ...typedData, types: undefined },
  { ...typedData, primaryType: undefined },
  { ...typedData, message: undefined },
  { ...typedData, types: { ...typedData.types, Mail: "x" } },
  { ...typedData, types: { ...typedData.types, Mail: [{ name: "to" }] } },
  { ...typedData, types: { ...typedData.types, Mail: [{ name: "to", type: "uint7" }] } },
  { ...typedData, types: { ...typedData.types, "bad name": [] } },
  { ...typedData, primaryType: "Nope" },
  { ...typedData, domain: "x" },
  { ...typedData, domain: [1] },
  { ...typedData, domain: { chainId: {} } },
  { ...typedData, domain: { chainId: seventyDigits } },
  otherChain,
  { ...typedData, message: { to: "0x1234", body: "gm" } },
  { ...typedData, message: { to, body: 1 } },
  { ...typedData, message: { to } },
  { ...typedData, message: { to, body: "gm", extra: deepObject(DEEP) } },
  { ...typedData, message: deepObject(DEEP) },
  { ...typedData, types: deepObject(DEEP) },
];

/**
 * The codes a bad entry may get while the node and the signer are up: the proxy's (rpc-proxy/jsonrpc/rpc_error.ts)
 * and, for a transaction the node itself refuses while filling it (eth_estimateGas), EIP-1474's -32003
 * "transaction rejected", passed through as the node gave it (DESIGN §7).
 */
const DOCUMENTED = [-32700, -32600, -32601, -32602, -32050, 4100, 4200, -32003];
const NODE_REJECTED = -32003;
type Case = { label: string; method: string; params: unknown; expect: readonly number[] };

/** Every generated bad request: each method, with each bad value in each of its params and fields. */
function badCases(): Case[] {
  const cases: Case[] = [];
  const add = (method: string, params: unknown, expect: readonly number[], label: string) => cases.push({ label: `${method} ${label}`, method, params, expect });
  const shapes: readonly unknown[] = [{}, { a: 1 }];
  for (const method of ["eth_sendTransaction", "wallet_sendTransaction", "eth_signTransaction"]) {
    for (const [i, params] of [[], [null], [1], ["0x00"], [[]], [huge], [deepArray(DEEP)]].entries()) add(method, params, [-32602], `params #${i}`);
    for (const params of shapes) add(method, params, [-32602], "object params");
    add(method, [{ from: stranger, to, value: "0x1" }], [4100], "unknown from");
    for (const [field, values] of Object.entries(TX_FIELDS)) {
      for (const [i, value] of values.entries()) add(method, [{ from: f.account, to, value: "0x1", [field]: value }], [-32602, NODE_REJECTED], `${field} #${i}`);
    }
  }
  for (const [i, value] of BAD.address.entries()) {
    add("personal_sign", ["0x68656c6c6f", value], [-32602], `address #${i}`);
    add("eth_sign", [value, "0x00ff"], [-32602], `address #${i}`);
    add("eth_signTypedData_v4", [value, typedData], [-32602], `address #${i}`);
  }
  for (const [i, value] of GARBAGE.filter((v) => typeof v !== "string").entries()) add("personal_sign", [value, f.account], [-32602], `message #${i}`);
  for (const [i, value] of [...BAD.bytes, "hello", "0x0g"].entries()) add("eth_sign", [f.account, value], [-32602], `data #${i}`);
  for (const [i, value] of BAD_TYPED_DATA.entries()) {
    add("eth_signTypedData_v4", [f.account, value], value === otherChain ? [-32050] : [-32602], `typedData #${i}`);
  }
  for (const method of ["personal_sign", "eth_sign", "eth_signTypedData_v4"]) {
    add(method, [], [-32602], "no params");
    add(method, shapes[1], [-32602], "object params");
  }
  add("personal_sign", ["0x68656c6c6f", stranger], [4100], "unknown address");
  add("eth_sign", [stranger, "0x00"], [4100], "unknown address");
  add("eth_signTypedData_v4", [stranger, typedData], [4100], "unknown address");
  for (const [i, value] of [...GARBAGE, "0x", "0x1", `0x${"ab".repeat(513)}`, huge].entries()) {
    add("signer_attestation", [value], [-32602], `nonce #${i}`);
  }
  add("signer_attestation", ["0x01", "0x02"], [-32602], "two nonces");
  add("signer_attestation", { nonce: "0x01" }, [-32602], "object params");
  for (const method of ["eth_accounts", "eth_requestAccounts", "eth_chainId"]) {
    add(method, { a: 1 }, [-32602], "object params");
    add(method, [deepObject(DEEP)], [-32602], "deep params");
  }
  for (const method of ["eth_signTypedData", "eth_signTypedData_v3", "personal_sendTransaction", "personal_unlockAccount", "personal_importRawKey"]) {
    add(method, [f.account, huge], [4200], "array params");
    add(method, [deepArray(DEEP)], [-32602], "deep params");
  }
  // signer_policy and signer_checkPolicy (issue 12): read methods, junk in every part of their params.
  for (const [i, value] of BAD.address.entries()) add("signer_policy", [value], [-32602], `address #${i}`);
  add("signer_policy", [], [-32602], "no params");
  add("signer_policy", { address: governed }, [-32602], "object params");
  add("signer_policy", [stranger], [4100], "unknown address");
  add("signer_checkPolicy", [], [-32602], "no params");
  add("signer_checkPolicy", { method: "personal_sign", params: ["0x00", governed] }, [-32602], "object params");
  add("signer_checkPolicy", [{ method: "personal_sign", params: ["0x00", governed] }, { method: "personal_sign", params: ["0x00", governed] }], [-32602], "two requests");
  for (const [i, value] of GARBAGE.entries()) add("signer_checkPolicy", [value], [-32602], `request #${i}`);
  for (const [i, method] of [...GARBAGE, "eth_call", "eth_accounts", "signer_checkPolicy", "signer_policy", "__proto__", "constructor", "toString", "ETH_SENDTRANSACTION", "sign.transaction", huge].entries()) {
    add("signer_checkPolicy", [{ method, params: [{ from: governed, to, value: "0x1" }] }], [-32602], `method #${i}`);
  }
  for (const [i, params] of [...GARBAGE.filter((v) => !Array.isArray(v)), undefined, null].entries()) {
    add("signer_checkPolicy", [{ method: "eth_sendTransaction", params }], [-32602], `params #${i}`);
  }
  for (const method of ["eth_sendTransaction", "eth_signTransaction", "wallet_sendTransaction"]) {
    add("signer_checkPolicy", [{ method, params: [{ from: stranger, to, value: "0x1" }] }], [4100], `${method} unknown from`);
    for (const [field, values] of Object.entries(TX_FIELDS)) {
      for (const [i, value] of values.entries()) {
        if (i % 3 !== 0) continue; // a third of them: the methods themselves get all of them above
        add("signer_checkPolicy", [{ method, params: [{ from: governed, to, value: "0x1", [field]: value }] }], [-32602, NODE_REJECTED], `${method} ${field} #${i}`);
      }
    }
  }
  for (const [i, value] of BAD.address.entries()) {
    add("signer_checkPolicy", [{ method: "personal_sign", params: ["0x676d", value] }], [-32602], `personal_sign address #${i}`);
    add("signer_checkPolicy", [{ method: "eth_sign", params: [value, "0x676d"] }], [-32602], `eth_sign address #${i}`);
  }
  add("signer_checkPolicy", [{ method: "personal_sign", params: ["0x676d", stranger] }], [4100], "personal_sign unknown address");
  for (const [i, value] of BAD_TYPED_DATA.entries()) {
    // Typed data for another chain is well-formed: the dry run answers { allowed: false }, not an error.
    if (value !== otherChain) add("signer_checkPolicy", [{ method: "eth_signTypedData_v4", params: [governed, value] }], [-32602], `typedData #${i}`);
  }
  add("eth_getBalance", [deepArray(DEEP), "latest"], [-32602], "deep params (passthrough)");
  add("eth_call", [{ to, data: deepObject(DEEP) }, "latest"], [-32602], "deep params (passthrough)");
  return cases;
}

/** Requests that are served whatever their params hold: each must get its normal result. */
function servedCases(): { method: string; params: unknown; result: unknown }[] {
  const served = [];
  for (const params of [undefined, [], [null], [1, 2, 3], [huge], [{ a: [[[1]]] }]]) {
    served.push({ method: "eth_accounts", params, result: accountsBefore });
    served.push({ method: "eth_requestAccounts", params, result: accountsBefore });
    served.push({ method: "eth_chainId", params, result: "0x7a69" });
  }
  return served;
}

/** Checks one reply entry for a bad request: right id, one documented code, a clean message. */
function assertBadReply(reply: any, id: unknown, c: Case) {
  const where = `${c.label}: ${JSON.stringify(reply)?.slice(0, 300)}`;
  assert.is(reply?.jsonrpc, "2.0", where);
  assert.equal(reply.id, id, where);
  assert.not.ok("result" in reply, where);
  assert.ok(Number.isInteger(reply.error?.code), where);
  assert.ok(DOCUMENTED.includes(reply.error.code), where);
  assert.ok(c.expect.includes(reply.error.code), where);
  assertCleanMessage(reply.error.message, where);
}

function assertCleanMessage(message: unknown, where: string) {
  assert.type(message, "string", where);
  const text = message as string;
  assert.ok(text.length > 0, where);
  assert.not.match(text, /\n\s+at /, where); // a stack trace
  assert.not.match(text, /Error:|Details:|node_modules|\.ts:\d/, where); // internals
}

test("every method the proxy answers refuses each seeded bad request with its code, in batches mixed with good entries", async () => {
  const random = seededRandom(SEED);
  const cases = badCases();
  const served = servedCases();
  // Shuffle (Fisher–Yates) so batches mix methods; the seed fixes the order.
  for (let i = cases.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [cases[i], cases[j]] = [cases[j]!, cases[i]!];
  }
  const ids: readonly unknown[] = [1, 0, -1, 2.5, "a", "", "dup", "dup", null, "🦀"];
  let sent = 0;
  for (let start = 0; start < cases.length;) {
    // Up to 24 bad entries and at most ~900 kB, under the 1 MiB body limit.
    const size = 1 + random.int(24);
    const entries: { body: Record<string, unknown>; bytes: number; check(reply: any, id: unknown): void }[] = [];
    let bytes = 0;
    for (const c of cases.slice(start, start + size)) {
      const body: Record<string, unknown> = { jsonrpc: "2.0", method: c.method, params: c.params };
      if (random.next() < 0.9) body.id = random.pick(ids); // else a notification: no reply at all
      const length = toJson(body).length;
      if (entries.length > 0 && bytes + length > 900_000) break;
      start++;
      bytes += length;
      entries.push({ body, bytes: length, check: (reply, id) => assertBadReply(reply, id, c) });
      if (random.next() < 0.3) {
        const good = random.pick(served);
        entries.push({
          body: { jsonrpc: "2.0", id: random.pick(ids), method: good.method, ...(good.params === undefined ? {} : { params: good.params }) },
          bytes: 0,
          check: (reply, id) => assert.equal(reply, { jsonrpc: "2.0", id, result: good.result }, good.method),
        });
      }
    }
    const single = entries.length === 1 && random.next() < 0.5;
    const text = toJson(single ? entries[0]!.body : entries.map((e) => e.body));
    const { status, json, text: replyText } = await rpc(f.url, text);
    const answered = entries.filter((e) => "id" in e.body);
    const where = entries.map((e) => `${e.body.method}`).join(", ");
    sent += entries.length;
    if (answered.length === 0) {
      assert.is(status, 204, where);
      assert.is(replyText, "");
      continue;
    }
    assert.is(status, 200, `${where}: ${replyText.slice(0, 300)}`);
    const replies = single ? [json] : json;
    assert.ok(Array.isArray(replies), replyText.slice(0, 300));
    assert.is(replies.length, answered.length);
    answered.forEach((e, i) => e.check(replies[i], e.body.id));
  }
  assert.ok(sent > cases.length);
});

test("bodies that are not JSON-RPC at all: one error with id null", async () => {
  const bodies: [string, number][] = [
    ["", -32700],
    ["{", -32700],
    ["[1,", -32700],
    ['{"jsonrpc":"2.0","id":1,"method":"eth_chainId"', -32700],
    ["null", -32600],
    ["true", -32600],
    ['"eth_chainId"', -32600],
    ["[]", -32600],
    [deepArray(DEEP).text, -32600],
    [toJson(Array.from({ length: 101 }, (_, id) => ({ jsonrpc: "2.0", id, method: "eth_chainId" }))), -32600],
  ];
  for (const [body, code] of bodies) {
    const { status, json } = await rpc(f.url, body);
    assert.is(status, 200, body.slice(0, 80));
    const reply = Array.isArray(json) ? json[0] : json;
    assert.is(reply.jsonrpc, "2.0");
    assert.is(reply.error.code, code, body.slice(0, 80));
    assertCleanMessage(reply.error.message, body.slice(0, 80));
  }
});

test("params nested 10 000 deep are -32602 with the entry's id, reach neither the node nor the signer, and spare their neighbours", async () => {
  // Before: -32603 "Internal error" (the stack ran out writing them for the node or the signer), for the whole
  // coalesced upstream batch the proxy's neighbouring sends were in; alone and passed through, the node's
  // -32600 with id null.
  const nested = { code: -32602, message: "Invalid params: nested deeper than 64 levels" };
  const single = await rpc(f.url, toJson({ jsonrpc: "2.0", id: 7, method: "eth_getBalance", params: [deepArray(DEEP), "latest"] }));
  assert.equal(single.json, { jsonrpc: "2.0", id: 7, error: nested });
  const { json } = await rpc(f.url, toJson([
    { jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from: f.account, to, maxFeePerGas: deepArray(DEEP) }] },
    { jsonrpc: "2.0", id: 2, method: "eth_signTransaction", params: [{ from: f.account, to, value: "0x1" }] },
    { jsonrpc: "2.0", id: 3, method: "eth_signTypedData_v4", params: [f.account, `{"types":${deepObject(DEEP).text}}`] },
    { jsonrpc: "2.0", id: 4, method: "eth_chainId", params: [deepObject(DEEP)] },
    { jsonrpc: "2.0", id: 5, method: "eth_getBalance", params: [f.account, "latest"], extra: deepArray(DEEP) },
  ]));
  assert.equal(json[0], { jsonrpc: "2.0", id: 1, error: nested });
  assert.match(json[1].result, /^0x02/);
  assert.equal(json[2], { jsonrpc: "2.0", id: 3, error: { code: -32602, message: "Invalid params: typed data nested deeper than 64 levels" } });
  assert.equal(json[3], { jsonrpc: "2.0", id: 4, error: nested });
  assert.match(json[4].result, /^0x[0-9a-f]+$/); // an unknown member is ignored, never forwarded
  const nearLimit = await rpc(f.url, toJson({ jsonrpc: "2.0", id: 6, method: "eth_chainId", params: [deepArray(62)] }));
  assert.is(nearLimit.json.result, "0x7a69");
});

test("a body that is not UTF-8 is -32700, never signed as U+FFFD", async () => {
  // Before: decoded with replacement characters, so personal_sign signed bytes the client never sent.
  const head = new TextEncoder().encode('{"jsonrpc":"2.0","id":1,"method":"personal_sign","params":["');
  const tail = new TextEncoder().encode(`", "${f.account}"]}`);
  for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
    const body = new Uint8Array([...head, ...bad, ...tail]);
    const response = await fetch(f.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    assert.is(response.status, 200);
    assert.equal(await response.json(), { jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error: the body is not valid JSON" } });
  }
  const good = await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "personal_sign", params: ["gm 🦀", f.account] });
  const hex = await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "personal_sign", params: [toHex("gm 🦀"), f.account] });
  assert.is(good.json.result, hex.json.result);
});

test("a body over the limit is 413 with Connection: close, so the client's next request on its keep-alive agent is served", async () => {
  // Before: 413 said keep-alive but the connection was closed under it, so the next request failed ("socket hang up").
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string) => new Promise<{ status: number; connection: string | undefined; text: string }>((resolve, reject) => {
    const url = new URL(f.url);
    const req = request({ host: url.hostname, port: url.port, method: "POST", path: "/", agent, headers: { "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, connection: res.headers.connection, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
  try {
    const big = await post(toJson({ jsonrpc: "2.0", id: 1, method: "personal_sign", params: [`0x${"ab".repeat(600_000)}`, f.account] }));
    assert.is(big.status, 413);
    assert.is(big.connection, "close");
    for (let id = 2; id < 5; id++) {
      const next = await post(toJson({ jsonrpc: "2.0", id, method: "eth_chainId" }));
      assert.equal(JSON.parse(next.text), { jsonrpc: "2.0", id, result: "0x7a69" });
    }
  } finally {
    agent.destroy();
  }
});

test("after all of it: nothing was broadcast, the accounts are unchanged, and a good send is mined", async () => {
  assert.is(await call(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]), nonceBefore);
  // The governed key's policy is the one in force before, and the dry runs counted nothing in its window.
  assert.equal(await call(f.url, "signer_policy", [governed]), policyBefore);
  assert.equal(await call(f.url, "signer_checkPolicy", [{ method: "personal_sign", params: ["0x676d21", governed] }]), { allowed: true, rule: "gm" });
  assert.equal(await call(f.url, "eth_accounts"), accountsBefore);
  const hash = await call<Hex>(f.url, "eth_sendTransaction", [{ from: f.account, to, value: "0x1" }]);
  let receipt: { status: Hex } | null = null;
  for (let i = 0; i < 200 && !receipt; i++) {
    receipt = await call(f.upstreamUrl, "eth_getTransactionReceipt", [hash]);
    if (!receipt) await new Promise((done) => setTimeout(done, 25));
  }
  assert.is(receipt?.status, "0x1");
});

test("every log line is clean JSON: no stack traces or internals", () => {
  assert.ok(f.lines.length > 100);
  for (const line of f.lines) {
    const entry = JSON.parse(line);
    assert.is(entry.service, "rpc-proxy");
    assert.not.match(line, /Error:|\n\s+at |node_modules/);
  }
});

test.run();
