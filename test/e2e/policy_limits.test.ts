import { test } from "uvu";
import * as assert from "uvu/assert";
import { createWalletClient, http, parseEther, toHex, type Hex } from "viem";
import { foundry } from "viem/chains";
import type { SignerMethods } from "../../signer/protocol/messages.ts";
import { errorOf } from "../helpers/error_of.ts";
import { ADMIN_A, ADMIN_B, approve, NEXT_YEAR, rpcRefusal } from "../helpers/policy_admins.ts";
import { call } from "../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "../rpc-proxy/proxy_fixture.ts";

// A policy's limits (issue 12): rolling windows over the account's signed requests, a maxValue window (native
// value of signed transactions) and a maxCount window (requests of any action). Through real processes (the Deno
// signer, Anvil, the rpc-proxy, viem): the windows fill up, then refuse with the limit's id through the proxy and
// straight over the signer's socket; a refused request is not counted, and neither is signer_checkPolicy.
let f: ProxyFixture;
let limited: Hex;

const ALICE: Hex = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const BOB: Hex = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

test.before(async () => {
  f = await startProxyFixture();
  // Two admins, either of whom may approve.
  const governance = { admins: [ADMIN_A.address, ADMIN_B.address].map((a) => a.toLowerCase() as Hex), threshold: 1 };
  limited = (await f.signer.request("keys.generate", { label: "limited", governance })).address;
  await call(f.upstreamUrl, "anvil_setBalance", [limited, toHex(100n * 10n ** 18n)]);
  const document = {
    version: 1,
    account: limited,
    sequence: 1,
    notAfter: NEXT_YEAR,
    rules: [
      { id: "to-alice", effect: "allow", action: "transaction", to: [ALICE] },
      { id: "messages", effect: "allow", action: "message" },
    ],
    limits: [
      { id: "eth-hour", window: 3600, maxValue: parseEther("1").toString() },
      { id: "count-hour", window: 3600, maxCount: 5 },
    ],
  };
  await f.signer.request("policy.apply", { document: JSON.stringify(document), approvals: await approve(document, [ADMIN_B]) });
});
test.after(() => f.stop());

const wallet = () => createWalletClient({ account: limited, chain: foundry, transport: http(f.url) });
const nonce = () => call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [limited, "pending"]);
const windows = async () => Object.fromEntries(
  (await call<{ windows: { id: string; value: string; count: number }[] }>(f.url, "signer_policy", [limited])).windows.map((w) => [w.id, { value: w.value, count: w.count }]),
);
const send = (value: bigint, to: Hex = ALICE) => ({ method: "eth_sendTransaction", params: [{ from: limited, to, value: toHex(value) }] });
const direct = (value: bigint): SignerMethods["sign.transaction"]["params"] => ({
  address: limited,
  transaction: { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x1", to: ALICE, value: toHex(value) },
});

test("signer_checkPolicy counts nothing, however often it is asked", async () => {
  for (let i = 0; i < 8; i++) assert.equal(await call(f.url, "signer_checkPolicy", [send(parseEther("0.6"))]), { allowed: true, rule: "to-alice" });
  assert.equal(await windows(), { "eth-hour": { value: "0", count: 0 }, "count-hour": { value: "0", count: 0 } });
});

test("the maxValue window fills up and then refuses with its id, through the proxy and over the socket; refusals are not counted", async () => {
  await wallet().sendTransaction({ to: ALICE, value: parseEther("0.6") });
  assert.equal(await windows(), { "eth-hour": { value: parseEther("0.6").toString(), count: 1 }, "count-hour": { value: parseEther("0.6").toString(), count: 1 } });

  // 0.6 + 0.5 > 1 ETH: the dry run and the real request agree, and neither counts.
  const checked = await call(f.url, "signer_checkPolicy", [send(parseEther("0.5"))]);
  assert.is(checked.allowed, false);
  assert.is(checked.rule, "eth-hour");
  const before = await nonce();
  const refusal = await rpcRefusal(wallet().sendTransaction({ to: ALICE, value: parseEther("0.5") }));
  assert.is(refusal.code, -32050);
  assert.is(refusal.data.rule, "eth-hour");
  assert.is(refusal.data.reason, checked.reason);
  assert.match(refusal.data.reason, /600000000000000000 wei signed in the last 3600 s plus this 500000000000000000 wei would exceed maxValue 1000000000000000000/);
  const overSocket = await errorOf(f.signer.request("sign.transaction", direct(parseEther("0.5"))));
  assert.is(overSocket.code, "POLICY_REFUSED");
  assert.equal((overSocket as unknown as { data: unknown }).data, { rule: "eth-hour", reason: checked.reason });
  assert.is(await nonce(), before, "nothing was broadcast");
  // Refused by a rule, and malformed: not counted either.
  assert.is((await rpcRefusal(call(f.url, "eth_sendTransaction", send(1n, BOB).params))).data.rule, "no-allow-rule");
  assert.is((await errorOf(f.signer.request("sign.transaction", { address: limited, transaction: { ...direct(1n).transaction, gas: "0xzz" as Hex } }))).code, "INVALID_PARAMS");
  assert.equal(await windows(), { "eth-hour": { value: parseEther("0.6").toString(), count: 1 }, "count-hour": { value: parseEther("0.6").toString(), count: 1 } });

  // Exactly up to the limit is allowed (0.6 + 0.4 = 1 ETH), then not one wei more.
  await wallet().sendTransaction({ to: ALICE, value: parseEther("0.4") });
  assert.is((await rpcRefusal(wallet().sendTransaction({ to: ALICE, value: 1n }))).data.rule, "eth-hour");
  // A transaction without value still fits the value window.
  const raw = await wallet().signTransaction({ to: ALICE, value: 0n });
  assert.match(raw, /^0x02/);
  assert.equal((await windows())["eth-hour"], { value: parseEther("1").toString(), count: 3 });
});

test("the maxCount window counts requests of any action, then refuses every action with its id", async () => {
  // Three signed so far; two messages fill the window of five.
  await wallet().signMessage({ message: "one" });
  await f.signer.request("sign.message", { address: limited, message: new TextEncoder().encode("two") });
  assert.equal((await windows())["count-hour"]!.count, 5);
  const checked = await call(f.url, "signer_checkPolicy", [{ method: "personal_sign", params: [toHex("three"), limited] }]);
  assert.equal([checked.allowed, checked.rule], [false, "count-hour"]);
  for (const refused of [
    rpcRefusal(wallet().signMessage({ message: "three" })),
    rpcRefusal(call(f.url, "eth_sign", [limited, toHex("three")])),
    rpcRefusal(wallet().signTransaction({ to: ALICE, value: 0n })),
  ]) {
    const { code, data } = await refused;
    assert.is(code, -32050);
    assert.is(data.rule, "count-hour");
    assert.match(data.reason, /count-hour/);
  }
  const overSocket = await errorOf(f.signer.request("sign.message", { address: limited, message: new Uint8Array([1]) }));
  assert.is(overSocket.code, "POLICY_REFUSED");
  assert.is((overSocket as unknown as { data: { rule: string } }).data.rule, "count-hour");
  assert.equal((await windows())["count-hour"]!.count, 5, "refusals are not counted");
});

test("the unrestricted key is not limited by another account's windows", async () => {
  for (let i = 0; i < 7; i++) await createWalletClient({ account: f.account, chain: foundry, transport: http(f.url) }).signMessage({ message: `m${i}` });
});

test.run();
