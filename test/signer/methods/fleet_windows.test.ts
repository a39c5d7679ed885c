import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, parseEther, recoverMessageAddress, toHex, type Hex } from "viem";
import { createKeyStore } from "../../../signer/keys/key_store.ts";
import { signingMethods } from "../../../signer/methods/signing_methods.ts";
import { createPolicyEngine } from "../../../signer/policy/create_policy_engine.ts";
import { policyApprovalTypedData } from "../../../signer/policy/policy_approval.ts";
import { policyDigest } from "../../../signer/policy/policy_digest.ts";
import type { WindowStateResult } from "../../../signer/protocol/messages.ts";
import { ACCOUNT, ALICE, ANVIL_KEYS, admin0, admin1, governance } from "../policy/policy_fixtures.ts";

// Fleet windows across two signer "instances" (issue 13): two key stores and engines holding the same key, and a
// table written only by compare-and-swap on the record's version. A record one instance issued is accepted by the
// other, so the budget is the fleet's, not each instance's.
const KEY = ANVIL_KEYS[4]!; // ACCOUNT's key
const NEXT_YEAR = new Date(Date.now() + 365 * 86400_000).toISOString().replace(/\.\d+Z$/, "Z");
const document = {
  version: 1,
  account: ACCOUNT,
  sequence: 1,
  notAfter: NEXT_YEAR,
  rules: [{ id: "to-alice", effect: "allow", action: "transaction", to: [ALICE] }, { id: "messages", effect: "allow", action: "message" }],
  limits: [{ id: "eth-day", window: 86400, maxValue: parseEther("1").toString() }],
};

async function instance(windows: "memory" | "fleet" = "fleet") {
  const keyStore = createKeyStore();
  keyStore.add(hexToBytes(KEY), { governance });
  const policy = createPolicyEngine({ windows, windowKey: (address) => keyStore.windowKey(address) });
  const methods = signingMethods({ keyStore, policy });
  const digest = policyDigest(document);
  const approvals = await Promise.all([admin0, admin1].map((a) => a.signTypedData(policyApprovalTypedData({ account: ACCOUNT, digest, sequence: 1 }))));
  await methods["policy.apply"]({ document: JSON.stringify(document), approvals });
  return { keyStore, policy, methods };
}

/** The table's item for the account: written only if its version is still the one the writer read. */
function table() {
  let item: { version: number; record: Uint8Array } | undefined;
  return {
    read: () => ({ record: item?.record ?? null }),
    version: () => item?.version ?? 0,
    write(expected: number, window: WindowStateResult): boolean {
      if ((item?.version ?? 0) !== expected) return false;
      item = { version: window.version, record: window.record };
      return true;
    },
  };
}

const tx = (value: bigint, nonce = 0) => ({
  address: ACCOUNT,
  transaction: { type: "0x2", chainId: "0x7a69", nonce: toHex(nonce), gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: ALICE, value: toHex(value) } as const,
});

async function codeOf(promise: unknown): Promise<{ code: string; data: any }> {
  try {
    await promise;
  } catch (error) {
    const { code, data } = error as { code: string; data: any };
    return { code, data };
  }
  assert.unreachable("expected a refusal");
  throw new Error("unreachable");
}

/** What the proxy does: read the item, sign with it, store the successor; the signature counts only if the write won. */
async function send(i: Awaited<ReturnType<typeof instance>>, t: ReturnType<typeof table>, value: bigint) {
  const read = t.read();
  const expected = t.version();
  const result = await i.methods["sign.transaction"]({ ...tx(value), window: read });
  assert.ok(result.window, "a window record comes back");
  return { result, stored: t.write(expected, result.window!) };
}

test("a record issued by one instance is accepted by the other; 0.3 ETH alternating, the fourth is refused on both", async () => {
  const [a, b] = [await instance(), await instance()];
  const t = table();
  assert.equal(
    await codeOf(a.methods["sign.transaction"](tx(1n))),
    { code: "WINDOW_STATE_REQUIRED", data: { address: ACCOUNT.toLowerCase() } },
    "fleet mode refuses a limited account without its window state",
  );
  const versions = [];
  for (const i of [a, b, a]) {
    const { result, stored } = await send(i, t, parseEther("0.3"));
    assert.ok(stored);
    versions.push(result.window!.version);
  }
  assert.equal(versions, [1, 2, 3]);
  for (const i of [a, b]) {
    const refusal = await codeOf(i.methods["sign.transaction"]({ ...tx(parseEther("0.3")), window: t.read() }));
    assert.is(refusal.code, "POLICY_REFUSED");
    assert.is(refusal.data.rule, "eth-day");
  }
  assert.is(t.version(), 3, "refusals issue no record");
  // The dry run on the table's state agrees, and counts nothing.
  assert.equal(await b.methods["policy.check"]({ method: "sign.transaction", params: tx(parseEther("0.1")), window: t.read() }), { allowed: true, rule: "to-alice" });
  assert.is((await b.methods["policy.check"]({ method: "sign.transaction", params: tx(parseEther("0.2")), window: t.read() })).rule, "eth-day");
  assert.is((await codeOf(Promise.resolve().then(() => b.methods["policy.check"]({ method: "sign.transaction", params: tx(1n) })))).code, "WINDOW_STATE_REQUIRED");
  // describe shows the newest state each knows.
  for (const i of [a, b]) {
    const [account] = (await i.methods["policy.describe"]({ address: ACCOUNT })).accounts;
    assert.equal(account!.windows, [{ id: "eth-day", window: 86400, value: parseEther("0.9").toString(), count: 3 }]);
  }
});

test("conflicting writers: concurrent reservations from both instances never exceed the budget by a wei", async () => {
  const [a, b] = [await instance(), await instance()];
  const t = table();
  let signed = 0n;
  const attempt = async (i: typeof a, value: bigint) => {
    for (;;) {
      try {
        const { stored } = await send(i, t, value);
        if (stored) return (signed += value), true;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "POLICY_REFUSED") return false;
        if (code !== "WINDOW_STATE_STALE") throw error;
      }
    }
  };
  const outcomes = await Promise.all(Array.from({ length: 24 }, (_, n) => attempt(n % 2 ? a : b, parseEther("0.07"))));
  assert.is(outcomes.filter(Boolean).length, 14, "14 × 0.07 = 0.98 ETH fit in 1 ETH, the fifteenth does not");
  assert.is(signed, parseEther("0.98"));
});

test("a forged, another account's or replayed record is refused; an unload and reload does not forget the newest", async () => {
  const [a, b] = [await instance(), await instance()];
  const t = table();
  const first = (await send(a, t, 1n)).result.window!;
  const second = (await send(b, t, 1n)).result.window!;
  const forged = second.record.slice();
  forged[10]! ^= 1;
  assert.is((await codeOf(a.methods["sign.transaction"]({ ...tx(1n), window: { record: forged } }))).code, "WINDOW_STATE_INVALID");
  assert.is((await codeOf(a.methods["sign.message"]({ address: ACCOUNT, message: new Uint8Array([1]), window: { record: new Uint8Array(64) } }))).code, "WINDOW_STATE_INVALID");
  // b issued version 2: the first record, or none, replayed to it is stale; the newest record rides along.
  const stale = await codeOf(b.methods["sign.transaction"]({ ...tx(1n), window: { record: first.record } }));
  assert.equal([stale.code, stale.data.version, stale.data.newest, stale.data.record], ["WINDOW_STATE_STALE", 1, 2, second.record]);
  assert.is((await codeOf(b.methods["sign.transaction"]({ ...tx(1n), window: { record: null } }))).code, "WINDOW_STATE_STALE");
  // a accepts version 2 once presented; from then on, it too refuses version 1.
  const third = await a.methods["sign.message"]({ address: ACCOUNT, message: new Uint8Array([2]), window: { record: second.record } });
  assert.is(third.window!.version, 3);
  assert.is(await recoverMessageAddress({ message: { raw: new Uint8Array([2]) }, signature: third.signature }), ACCOUNT);
  assert.is((await codeOf(a.methods["sign.transaction"]({ ...tx(1n), window: { record: first.record } }))).code, "WINDOW_STATE_STALE");
  // Unload and reload the key: the newest version is kept, as the policy sequence is (the policy goes, so apply again).
  a.keyStore.remove(ACCOUNT);
  assert.is((await codeOf(a.methods["sign.transaction"]({ ...tx(1n), window: { record: first.record } }))).code, "UNKNOWN_ACCOUNT");
  a.keyStore.add(hexToBytes(KEY), { governance });
  const digest = policyDigest(document);
  const approvals = await Promise.all([admin0, admin1].map((x) => x.signTypedData(policyApprovalTypedData({ account: ACCOUNT, digest, sequence: 1 }))));
  await a.methods["policy.apply"]({ document: JSON.stringify(document), approvals });
  assert.is((await codeOf(a.methods["sign.transaction"]({ ...tx(1n), window: { record: second.record } }))).code, "WINDOW_STATE_STALE");
  assert.is((await a.methods["sign.transaction"]({ ...tx(1n), window: { record: third.window!.record } })).window!.version, 4);
  // A malformed window param is INVALID_PARAMS.
  assert.is((await codeOf(Promise.resolve().then(() => a.methods["sign.transaction"]({ ...tx(1n), window: { record: "0x00" } as never })))).code, "INVALID_PARAMS");
  assert.is((await codeOf(Promise.resolve().then(() => a.methods["sign.transaction"]({ ...tx(1n), window: null as never })))).code, "INVALID_PARAMS");
});

test("memory mode ignores window and answers without one; fleet mode needs none for an unrestricted key", async () => {
  const memory = await instance("memory");
  const plain = await memory.methods["sign.transaction"](tx(1n));
  assert.is(plain.window, undefined);
  assert.is((await memory.methods["sign.transaction"]({ ...tx(1n), window: { record: null } })).window, undefined);
  const keyStore = createKeyStore();
  const free = keyStore.add(hexToBytes(ANVIL_KEYS[5]!));
  const methods = signingMethods({ keyStore, policy: createPolicyEngine({ windows: "fleet", windowKey: (x) => keyStore.windowKey(x) }) });
  const signed = await methods["sign.transaction"]({ ...tx(1n), address: free });
  assert.is(signed.window, undefined);
  assert.equal(await methods["policy.check"]({ method: "sign.transaction", params: { ...tx(1n), address: free } }), { allowed: true, rule: "unrestricted" });
});

test.run();
