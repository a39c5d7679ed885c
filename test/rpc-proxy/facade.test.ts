import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  keccak256, parseTransaction, recoverMessageAddress, recoverTransactionAddress, recoverTypedDataAddress, sha256, toHex, type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { call, rpc } from "../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "./proxy_fixture.ts";

// The facade against real Anvil and the real Deno signer: every signing method, every transaction type,
// batches, and nonces that leave no gap.
let f: ProxyFixture;
test.before(async () => {
  f = await startProxyFixture();
});
test.after(() => f.stop());

const to: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const authority = privateKeyToAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"); // Anvil dev key #3
const delegate: Hex = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
// The all-zero blob: its KZG commitment and proof are both the point at infinity.
const blob = `0x${"00".repeat(131072)}` as Hex;
const point = `0xc0${"00".repeat(47)}` as Hex;
const versionedHash = `0x01${sha256(point).slice(4)}` as Hex;

const receipt = async (hash: Hex) => {
  for (let i = 0; i < 200; i++) {
    const r = await call(f.upstreamUrl, "eth_getTransactionReceipt", [hash]);
    if (r) return r;
    await new Promise((done) => setTimeout(done, 25));
  }
  throw new Error(`${hash} was not mined`);
};

test("personal_sign, eth_sign and eth_signTypedData_v4 signatures from the enclave signer recover to the account", async () => {
  const personal = await call<Hex>(f.url, "personal_sign", [toHex("gm"), f.account]);
  assert.is(await recoverMessageAddress({ message: "gm", signature: personal }), f.account);
  const ethSign = await call<Hex>(f.url, "eth_sign", [f.account.toLowerCase(), "0x00ff"]);
  assert.is(await recoverMessageAddress({ message: { raw: "0x00ff" }, signature: ethSign }), f.account);
  const typedData = {
    types: {
      EIP712Domain: [{ name: "name", type: "string" }, { name: "chainId", type: "uint256" }, { name: "verifyingContract", type: "address" }],
      Order: [{ name: "maker", type: "address" }, { name: "amount", type: "uint256" }, { name: "tags", type: "string[]" }],
    },
    primaryType: "Order",
    domain: { name: "Exchange", chainId: "0x7a69", verifyingContract: delegate },
    message: { maker: f.account, amount: "1000000000000000000000", tags: ["a", "b"] },
  };
  const signature = await call<Hex>(f.url, "eth_signTypedData_v4", [f.account, JSON.stringify(typedData)]);
  assert.is(await recoverTypedDataAddress({ ...typedData, domain: { ...typedData.domain, chainId: 31337 }, message: { ...typedData.message, amount: 10n ** 21n }, signature } as never), f.account);
  const other = await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "eth_signTypedData_v4", params: [f.account, { ...typedData, domain: { ...typedData.domain, chainId: 1 } }] });
  assert.is(other.json.error.code, -32050);
  assert.match(other.json.error.data.reason, /does not match chain 31337/);
  const bad = await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "eth_signTypedData_v4", params: [f.account, { ...typedData, message: { ...typedData.message, maker: "0x1234" } }] });
  assert.is(bad.json.error.code, -32602);
});

test("eth_signTransaction signs each type 0x0–0x4 with the fields filled; each recovers to the account", async () => {
  const auth = await authority.signAuthorization({ chainId: 31337, address: delegate, nonce: 0 });
  const authorizationList = [{ chainId: "0x7a69", address: delegate, nonce: "0x0", yParity: toHex(auth.yParity!), r: auth.r, s: auth.s }];
  const requests: [string, Record<string, unknown>][] = [
    ["legacy", { type: "0x0" }],
    ["eip2930", { type: "0x1", accessList: [{ address: delegate, storageKeys: [] }] }],
    ["eip1559", {}],
    ["eip4844", { blobVersionedHashes: [versionedHash] }],
    ["eip7702", { authorizationList }],
  ];
  for (const [type, fields] of requests) {
    const raw = await call<Hex>(f.url, "eth_signTransaction", [{ from: f.account, to, value: "0x1", ...fields }]);
    const tx = parseTransaction(raw);
    assert.is(tx.type, type);
    assert.is(tx.chainId, 31337);
    assert.ok(tx.gas! >= 21000n, `${type} gas ${tx.gas}`);
    assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), f.account, type);
    if (type === "eip4844") assert.ok(tx.maxFeePerBlobGas! > 0n);
  }
});

test("eth_sendTransaction of every type is mined: legacy, EIP-2930, EIP-1559, a blob with its sidecar, EIP-7702", async () => {
  const auth = await authority.signAuthorization({ chainId: 31337, address: delegate, nonce: await call(f.upstreamUrl, "eth_getTransactionCount", [authority.address, "pending"]).then(Number) });
  const sends: [string, Record<string, unknown>][] = [
    ["0x0", { type: "0x0" }],
    ["0x1", { gasPrice: "0x77359400", accessList: [] }],
    ["0x2", { input: "0x", data: "0x" }],
    ["0x3", { blobs: [blob], commitments: [point], proofs: [point] }],
    ["0x4", { authorizationList: [{ chainId: "0x7a69", address: delegate, nonce: toHex(auth.nonce), yParity: toHex(auth.yParity!), r: auth.r, s: auth.s }] }],
  ];
  for (const [type, fields] of sends) {
    const hash = await call<Hex>(f.url, "eth_sendTransaction", [{ from: f.account, to, value: "0x2", ...fields }]);
    const r = await receipt(hash);
    assert.is(r.status, "0x1", type);
    assert.is(r.type, type);
  }
  const code = await call<Hex>(f.upstreamUrl, "eth_getCode", [authority.address, "latest"]);
  assert.is(code, `0xef0100${delegate.slice(2).toLowerCase()}`); // EIP-7702 delegation indicator
});

test("eth_signTransaction with a blob sidecar returns the network form, which the node accepts as is", async () => {
  const nonce = await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]);
  const raw = await call<Hex>(f.url, "eth_signTransaction", [{ from: f.account, to, nonce, blobs: [blob], commitments: [point], proofs: [point], blobVersionedHashes: [versionedHash] }]);
  const hash = await call<Hex>(f.url, "eth_sendRawTransaction", [raw]);
  assert.is((await receipt(hash)).status, "0x1");
  assert.is((await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from: f.account, to, blobs: [blob] }] })).json.error.code, -32602);
});

test("sign.authorization from the signer: the account delegates itself, sponsored by the same account (nonce + 1)", async () => {
  const nonce = Number(await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]));
  const signed = await f.signer.request("sign.authorization", { address: f.account, authorization: { chainId: "0x7a69", address: delegate, nonce: toHex(nonce + 1) } });
  const hash = await call<Hex>(f.url, "eth_sendTransaction", [{ from: f.account, to: f.account, authorizationList: [signed] }]);
  assert.is((await receipt(hash)).status, "0x1");
  assert.is(await call(f.upstreamUrl, "eth_getCode", [f.account, "latest"]), `0xef0100${delegate.slice(2).toLowerCase()}`);
});

test("a batch mixing valid, invalid, failing and notification entries: in order, ids echoed, notifications executed", async () => {
  const before = Number(await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]));
  const { status, json } = await rpc(f.url, [
    { jsonrpc: "2.0", id: "chain", method: "eth_chainId" },
    { jsonrpc: "2.0", method: "eth_sendTransaction", params: [{ from: f.account, to, value: "0x3" }] },
    { jsonrpc: "2.0", id: 2, method: "eth_getBalance", params: [to, "latest"] },
    { jsonrpc: "2.0", id: 3, method: "eth_sendTransaction", params: [{ from: to, to, value: "0x1" }] },
    { id: 4, method: "eth_chainId" },
    { jsonrpc: "2.0", id: 5, method: "personal_sign", params: [toHex("batch"), f.account] },
    { jsonrpc: "2.0", id: 6, method: "no_suchMethod", params: [] },
    { jsonrpc: "2.0", method: "eth_blockNumber" },
    [],
    { jsonrpc: "2.0", id: 7, method: "eth_call", params: [{ to: delegate, data: "0x" }, "latest"] },
  ]);
  assert.is(status, 200);
  assert.equal(json.map((r: any) => r.id), ["chain", 2, 3, 4, 5, 6, null, 7]);
  assert.is(json[0].result, "0x7a69");
  assert.match(json[1].result, /^0x[0-9a-f]+$/);
  assert.is(json[2].error.code, 4100);
  assert.is(json[3].error.code, -32600);
  assert.is(await recoverMessageAddress({ message: "batch", signature: json[4].result }), f.account);
  assert.is(json[5].error.code, -32601);
  assert.is(json[6].error.code, -32600);
  assert.is(json[7].result, "0x");
  assert.is(Number(await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"])), before + 1);
});

test("sends the node refuses fail alone and leave no gap: the others are mined, a nonce left between them is filled", async () => {
  const start = Number(await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]));
  const tooMuch = `0x${(10n ** 30n).toString(16)}`;
  const results = await Promise.all(Array.from({ length: 12 }, (_, i) =>
    rpc(f.url, { jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [i % 3 === 1 ? { from: f.account, to, value: tooMuch, gas: "0x5208" } : { from: f.account, to, value: toHex(i + 1) }] })
  ));
  const hashes = results.filter((r) => r.json.result).map((r) => r.json.result as Hex);
  assert.is(hashes.length, 8);
  assert.ok(results.filter((r) => r.json.error).every((r) => /insufficient funds/i.test(r.json.error.message)), JSON.stringify(results.map((r) => r.json)));
  for (const hash of hashes) assert.is((await receipt(hash)).status, "0x1");
  // The next send is mined too, right after everything before it: no nonce was left unused.
  const next = await call<Hex>(f.url, "eth_sendTransaction", [{ from: f.account, to, value: "0x1" }]);
  assert.is((await receipt(next)).status, "0x1");
  const end = Number(await call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [f.account, "latest"]));
  assert.is(Number((await call(f.upstreamUrl, "eth_getTransactionByHash", [next])).nonce), end - 1);
  // Every nonce in between is one of the eight, or a 0-value transaction to self that filled a refused send's.
  const ours = new Set([...hashes, next]);
  for (let block = Number(await call<Hex>(f.upstreamUrl, "eth_blockNumber")), seen = 0; seen < end - start; block--) {
    const { transactions } = await call<{ transactions: any[] }>(f.upstreamUrl, "eth_getBlockByNumber", [toHex(block), true]);
    for (const tx of transactions.filter((t) => t.from.toLowerCase() === f.account.toLowerCase())) {
      seen++;
      assert.ok(ours.has(tx.hash) || (tx.to.toLowerCase() === f.account.toLowerCase() && tx.value === "0x0"), `nonce ${Number(tx.nonce)}: ${tx.hash}`);
    }
  }
  assert.is(keccak256(await call(f.upstreamUrl, "eth_getRawTransactionByHash", [next])), next);
});

test("one log line per entry names the method, account and outcome", () => {
  const lines = f.lines.map((l) => JSON.parse(l));
  const sends = lines.filter((l) => l.method === "eth_sendTransaction" && l.outcome === "ok");
  assert.ok(sends.length >= 10);
  assert.ok(sends.every((l) => l.account === f.account && l.durationMs >= 0));
  assert.ok(lines.some((l) => l.method === "eth_sendTransaction" && l.outcome === "node_error"));
});

test.run();
