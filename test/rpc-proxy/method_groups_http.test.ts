import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Hex } from "viem";
import { ANVIL_DEV_ACCOUNT } from "../../local/start_anvil_node.ts";
import { parseApiKeys } from "../../rpc-proxy/auth/parse_api_keys.ts";
import type { MethodGroup } from "../../rpc-proxy/auth/method_group.ts";
import { call, rpc } from "../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "./proxy_fixture.ts";

// Each API-key group against the real proxy, Anvil and signer: a key with one group calls one method of every
// other group, singly and inside a batch, and is refused with 4100 (or 4200 for what the node would sign with its
// own keys, refused for everyone), with the node's state unchanged.

const GROUPS = ["read", "sign", "send", "attest", "node-admin"] as const satisfies readonly MethodGroup[];
const keyOf = (group: string) => `group-key-${group}-0123456789`;
const OTHER = "0x000000000000000000000000000000000000bEEF";
let f: ProxyFixture;
let methods: { group: MethodGroup; method: string; params: unknown[] }[];

test.before(async () => {
  f = await startProxyFixture({
    apiKeys: parseApiKeys([
      ...GROUPS.map((group) => ({ name: group, key: keyOf(group), accounts: ["*"], methods: [group] })),
      { name: "all", key: keyOf("all"), accounts: ["*"], methods: ["*"] },
      { name: "narrow", key: keyOf("narrow"), accounts: [OTHER], methods: ["sign"] },
    ]),
  });
  const tx = { from: f.account, to: OTHER, value: "0x1" };
  methods = [
    { group: "read", method: "eth_getBalance", params: [f.account, "latest"] },
    { group: "read", method: "eth_call", params: [{ to: OTHER, data: "0x" }, "latest"] },
    { group: "sign", method: "personal_sign", params: ["0x68656c6c6f", f.account] },
    { group: "sign", method: "eth_signTransaction", params: [tx] },
    { group: "send", method: "eth_sendTransaction", params: [tx] },
    { group: "send", method: "eth_sendRawTransaction", params: ["0x02"] },
    { group: "attest", method: "signer_attestation", params: [] },
    // What a read key reached through passthrough before: node state and the node's own signing.
    { group: "node-admin", method: "anvil_setBalance", params: [OTHER, "0xde0b6b3a7640000"] },
    { group: "node-admin", method: "anvil_impersonateAccount", params: [OTHER] },
    { group: "node-admin", method: "hardhat_impersonateAccount", params: [OTHER] },
    { group: "node-admin", method: "evm_snapshot", params: [] },
    { group: "node-admin", method: "evm_mine", params: [] },
    { group: "node-admin", method: "anvil_dumpState", params: [] },
    { group: "node-admin", method: "debug_traceCall", params: [{ to: OTHER }, "latest"] },
    { group: "node-admin", method: "txpool_content", params: [] },
    { group: "node-admin", method: "some_unknownMethod", params: [] },
  ];
});
test.after(() => f.stop());

/** Methods the node would answer with keys of its own (or none): refused with 4200 for everyone. */
const nodeKeystore = () => [
  { group: "send" as MethodGroup, method: "eth_sendUnsignedTransaction", params: [{ from: f.account, to: OTHER, value: "0x1" }] },
  { group: "send" as MethodGroup, method: "eth_sendTransactionSync", params: [{ from: ANVIL_DEV_ACCOUNT, to: OTHER, value: "0x1" }] },
  { group: "send" as MethodGroup, method: "personal_sendTransaction", params: [{ from: ANVIL_DEV_ACCOUNT, to: OTHER, value: "0x1" }, ""] },
  { group: "sign" as MethodGroup, method: "eth_signTypedData_v3", params: [ANVIL_DEV_ACCOUNT, "{}"] },
];

/** What an attacker would change: balances, nonces, blocks, snapshots. */
async function nodeState() {
  const get = (method: string, params: unknown[] = []) => call<Hex>(f.upstreamUrl, method, params);
  return {
    block: await get("eth_blockNumber"),
    balances: await Promise.all([f.account, OTHER, ANVIL_DEV_ACCOUNT].map((a) => get("eth_getBalance", [a, "latest"]))),
    nonces: await Promise.all([f.account, ANVIL_DEV_ACCOUNT].map((a) => get("eth_getTransactionCount", [a, "pending"]))),
    pending: await get("eth_getBlockTransactionCountByNumber", ["pending"]),
  };
}

test("a key with one group is refused (4100) every method of the other groups, singly and in a batch; node-keystore methods are 4200; nothing changes", async () => {
  // Anvil numbers snapshots in order: the next one we take shows whether anyone else took one.
  const snapshot = BigInt(await call(f.upstreamUrl, "evm_snapshot"));
  const before = await nodeState();
  for (const group of GROUPS) {
    const headers = { authorization: `Bearer ${keyOf(group)}` };
    const others = [...methods.filter((m) => m.group !== group), ...nodeKeystore()];
    const expected = (m: { group: MethodGroup }) => (m.group === group ? 4200 : 4100);
    for (const m of others) {
      const { json } = await rpc(f.url, { jsonrpc: "2.0", id: 7, method: m.method, params: m.params }, headers);
      assert.is(json.error?.code, expected(m), `${group} key calling ${m.method}`);
      assert.is(json.result, undefined);
    }
    const batch = others.map((m, i) => ({ jsonrpc: "2.0", id: i, method: m.method, params: m.params }));
    const { json: replies } = await rpc(f.url, batch, headers);
    for (const [i, m] of others.entries()) {
      const reply = replies.find((r: { id: number }) => r.id === i);
      assert.is(reply.error?.code, expected(m), `${group} key calling ${m.method} in a batch`);
    }
  }
  assert.equal(await nodeState(), before);
  assert.is(BigInt(await call(f.upstreamUrl, "evm_snapshot")), snapshot + 1n, "someone took a snapshot through the proxy");
});

test("each group reaches its own methods: read and node-admin pass through, and the node-keystore methods stay refused even for *", async () => {
  const as = (group: string, method: string, params: unknown[] = []) => rpc(f.url, { jsonrpc: "2.0", id: 1, method, params }, { authorization: `Bearer ${keyOf(group)}` });
  assert.match((await as("read", "eth_getBalance", [f.account, "latest"])).json.result, /^0x/);
  assert.match((await as("read", "web3_clientVersion")).json.result, /anvil/i);
  assert.match((await as("node-admin", "evm_snapshot")).json.result, /^0x/);
  assert.match((await as("sign", "personal_sign", ["0x68656c6c6f", f.account])).json.result, /^0x[0-9a-f]{130}$/);
  for (const m of nodeKeystore()) {
    assert.is((await as("all", m.method, m.params)).json.error?.code, 4200, m.method);
  }
});

test("transaction fields have their real widths: -32602 naming gas or nonce past 2^64-1, fees and value past 2^256-1", async () => {
  const base = { from: f.account, to: OTHER, value: "0x1", gas: "0x5208", nonce: "0x0", maxFeePerGas: "0x3b9aca00", maxPriorityFeePerGas: "0x1", chainId: "0x7a69" };
  const cases: [Record<string, string>, RegExp][] = [
    [{ gas: `0x${"f".repeat(64)}` }, /gas/],
    [{ gas: "0x10000000000000000" }, /gas/],
    [{ nonce: "0x10000000000000000" }, /nonce/],
    [{ value: `0x1${"0".repeat(64)}` }, /value/],
    [{ maxFeePerGas: `0x1${"0".repeat(64)}` }, /maxFeePerGas/],
  ];
  for (const method of ["eth_signTransaction", "eth_sendTransaction"]) {
    for (const [fields, field] of cases) {
      const { json } = await rpc(f.url, { jsonrpc: "2.0", id: 1, method, params: [{ ...base, ...fields }] }, { authorization: `Bearer ${keyOf("all")}` });
      assert.is(json.error?.code, -32602, `${method} ${JSON.stringify(fields)}`);
      assert.match(json.error.message, field);
    }
  }
  const widest = await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "eth_signTransaction", params: [{ ...base, gas: "0xffffffffffffffff" }] }, { authorization: `Bearer ${keyOf("all")}` });
  assert.match(widest.json.result, /^0x02/, "gas = 2^64-1 is a valid uint64");
});

test("outside a key's grant, 4100 reads the same whether or not the signer holds the account", async () => {
  const notHeld = "0x1111111111111111111111111111111111111111";
  const ask = async (account: string) => {
    const { json } = await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "personal_sign", params: ["0x68656c6c6f", account] }, { authorization: `Bearer ${keyOf("narrow")}` });
    assert.is(json.error?.code, 4100);
    return json.error.message.replace(account, "<account>");
  };
  assert.is(await ask(f.account), await ask(notHeld));
  assert.is(await ask(f.account.toLowerCase()), await ask(notHeld));
});

test.run();
