import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes } from "viem";
import { createFleetWindows } from "../../../signer/policy/create_fleet_windows.ts";
import { deriveWindowKey } from "../../../signer/policy/derive_window_key.ts";
import { PolicyRefusedError } from "../../../signer/policy/policy_refused_error.ts";
import type { PolicyLimit, PolicyRequest } from "../../../signer/policy/policy_types.ts";
import { decodeWindowRecord } from "../../../signer/policy/window_record.ts";
import { WindowStateStaleError } from "../../../signer/policy/window_state_errors.ts";
import { ACCOUNT, ALICE, ANVIL_KEYS, NOW } from "./policy_fixtures.ts";

// The fleet windows' rules (docs/fleet-state.md) on one signer: decisions on the presented record, successor
// versions, and the newest state it knows refusing older records until every entry of it has expired.
const ETH = 10n ** 18n;
const key = await deriveWindowKey(hexToBytes(ANVIL_KEYS[4]!));
const pay = (value: bigint): PolicyRequest => ({ action: "transaction", transaction: { chainId: 1, to: ALICE, value, gas: 21000n, maxFeePerGas: 1n } });
const hourEth: PolicyLimit = { id: "hour-eth", window: 3600, maxValue: ETH };
const limits = [hourEth, { id: "day-count", window: 86400, maxCount: 10 }] as const;

function setup() {
  let t = NOW + 500;
  const clock = { now: () => t, advance: (s: number) => { t += s * 1000; } };
  return { windows: createFleetWindows({ now: clock.now }), clock };
}

async function throwsCode(promise: Promise<unknown>, code: string): Promise<{ data: any }> {
  try {
    await promise;
  } catch (error) {
    assert.is((error as { code?: string }).code, code, (error as Error).message);
    return error as { data: any };
  }
  assert.unreachable(`expected ${code}`);
  throw new Error("unreachable");
}

test("a chain of records: version 1 after none, then presented + 1; each decided on the record's entries plus the request", async () => {
  const { windows, clock } = setup();
  const first = await (await windows.open(ACCOUNT, limits, null, key)).reserve(pay(ETH / 2n)).issue();
  assert.is(first.version, 1);
  assert.is(first.expiresAt, (NOW + 1000) / 1000 + 86400, "the second rounded up, plus the longest window");
  clock.advance(10);
  const second = await (await windows.open(ACCOUNT, limits, first.record, key)).reserve(pay(ETH / 2n)).issue();
  assert.is(second.version, 2);
  const decoded = await decodeWindowRecord(second.record, { account: ACCOUNT, key });
  assert.equal(decoded.entries.map((e) => [e.at, e.count, e.value]), [[NOW + 1000, 1, ETH / 2n], [NOW + 11_000, 1, ETH / 2n]]);
  // The budget is in the record: one more wei is refused, and a refusal issues nothing.
  const state = await windows.open(ACCOUNT, limits, second.record, key);
  assert.equal(state.check(pay(1n)), { allowed: false, rule: "hour-eth", reason: `limit hour-eth: ${ETH} wei signed in the last 3600 s plus this 1 wei would exceed maxValue ${ETH}` });
  assert.throws(() => state.reserve(pay(1n)), (e: unknown) => e instanceof PolicyRefusedError && e.rule === "hour-eth");
  assert.equal(windows.usage(ACCOUNT, limits).map((u) => [u.value, u.count]), [[ETH.toString(), 2], [ETH.toString(), 2]]);
  // An hour later the value window has room again; the day's count has not forgotten.
  clock.advance(3601);
  const third = await (await windows.open(ACCOUNT, limits, second.record, key)).reserve(pay(ETH)).issue();
  assert.is(third.version, 3);
  assert.equal(windows.usage(ACCOUNT, limits).map((u) => [u.value, u.count]), [[ETH.toString(), 1], [(2n * ETH).toString(), 3]]);
});

test("an older record (or none) is stale while the newest issued has unexpired entries; data carries the newest record", async () => {
  const { windows, clock } = setup();
  const first = await (await windows.open(ACCOUNT, limits, null, key)).reserve(pay(1n)).issue();
  const second = await (await windows.open(ACCOUNT, limits, first.record, key)).reserve(pay(1n)).issue();
  const stale = await throwsCode(windows.open(ACCOUNT, limits, first.record, key), "WINDOW_STATE_STALE");
  assert.instance(stale, WindowStateStaleError);
  assert.equal(stale.data, { address: ACCOUNT.toLowerCase(), version: 1, newest: 2, record: second.record, expiresAt: second.expiresAt });
  assert.is((await throwsCode(windows.open(ACCOUNT, limits, null, key), "WINDOW_STATE_STALE")).data.version, 0);
  // The same version (another instance won the write with its own) and newer ones are accepted.
  await windows.open(ACCOUNT, limits, second.record, key);
  // Just before the newest state's last entry expires it still counts; at expiry an older record hides nothing.
  clock.advance(second.expiresAt - (NOW + 500) / 1000 - 1);
  await throwsCode(windows.open(ACCOUNT, limits, first.record, key), "WINDOW_STATE_STALE");
  clock.advance(1);
  const restarted = await (await windows.open(ACCOUNT, limits, null, key)).reserve(pay(1n)).issue();
  assert.is(restarted.version, 1, "after none: 1");
  // And that fresh state is the newest now: the expired version 2 cannot be presented again over it.
  await throwsCode(windows.open(ACCOUNT, limits, null, key), "WINDOW_STATE_STALE");
});

test("a presented newer record becomes the newest (accepted, even by a dry run), so its predecessors are stale", async () => {
  const a = setup();
  const b = setup();
  const one = await (await a.windows.open(ACCOUNT, limits, null, key)).reserve(pay(1n)).issue();
  const two = await (await a.windows.open(ACCOUNT, limits, one.record, key)).reserve(pay(1n)).issue();
  // b never issued anything: it accepts version 2, and from then on refuses version 1 and none.
  (await b.windows.open(ACCOUNT, limits, two.record, key)).check(pay(1n));
  await throwsCode(b.windows.open(ACCOUNT, limits, one.record, key), "WINDOW_STATE_STALE");
  assert.equal(b.windows.usage(ACCOUNT, limits).map((u) => u.count), [2, 2]);
});

test("a request refused by a limit, or never issued (signing failed), leaves the newest version where it was", async () => {
  const { windows } = setup();
  const one = await (await windows.open(ACCOUNT, limits, null, key)).reserve(pay(ETH)).issue();
  const state = await windows.open(ACCOUNT, limits, one.record, key);
  assert.throws(() => state.reserve(pay(1n)), (e: unknown) => e instanceof PolicyRefusedError);
  state.reserve(pay(0n)); // reserved, then the signature failed: nothing issued
  await windows.open(ACCOUNT, limits, one.record, key); // still the newest: not stale
});

test("a record holds at most maxEntries: the oldest merge into the next, so the windows count more, never less", async () => {
  let t = NOW;
  const fleet = createFleetWindows({ now: () => t, maxEntries: 3 });
  const many: PolicyLimit[] = [{ id: "day-count", window: 86400, maxCount: 100 }];
  let record: Uint8Array | null = null;
  for (let i = 0; i < 6; i++) {
    record = (await (await fleet.open(ACCOUNT, many, record, key)).reserve(pay(1n)).issue()).record;
    t += 100_000;
  }
  const decoded = await decodeWindowRecord(record!, { account: ACCOUNT, key });
  assert.is(decoded.entries.length, 3);
  assert.equal(decoded.entries.map((e) => e.count), [4, 1, 1]);
  assert.is(decoded.entries.reduce((sum, e) => sum + e.value, 0n), 6n);
  assert.throws(() => createFleetWindows({ maxEntries: 513 }), (e: unknown) => e instanceof RangeError);
});

test.run();
