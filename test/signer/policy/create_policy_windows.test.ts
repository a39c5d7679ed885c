import { test } from "uvu";
import * as assert from "uvu/assert";
import { createPolicyWindows } from "../../../signer/policy/create_policy_windows.ts";
import { PolicyRefusedError } from "../../../signer/policy/policy_refused_error.ts";
import type { PolicyLimit, PolicyRequest } from "../../../signer/policy/policy_types.ts";
import { ACCOUNT, ALICE, NOW, other } from "./policy_fixtures.ts";

const ETH = 10n ** 18n;
const pay = (value: bigint): PolicyRequest => ({ action: "transaction", transaction: { chainId: 1, to: ALICE, value, gas: 21000n, maxFeePerGas: 1n } });
const msg: PolicyRequest = { action: "message", message: new Uint8Array([1]) };

function fakeClock(start = NOW) {
  let t = start;
  return { now: () => t, advance: (seconds: number) => { t += seconds * 1000; }, set: (ms: number) => { t = ms; } };
}

function refusedBy(fn: () => unknown, rule: string, reason: RegExp) {
  try {
    fn();
  } catch (error) {
    assert.instance(error, PolicyRefusedError);
    const e = error as PolicyRefusedError;
    assert.equal((e.data as { rule: string }).rule, rule);
    assert.is(e.code, "POLICY_REFUSED");
    assert.match(e.reason, reason);
    return;
  }
  assert.unreachable("expected PolicyRefusedError");
}

const daily: PolicyLimit = { id: "daily-eth", window: 86400, maxValue: 3n * ETH / 2n };
const hourly: PolicyLimit = { id: "hourly-count", window: 3600, maxCount: 3 };

test("reserve() counts value until maxValue, then refuses naming the limit and counts nothing", () => {
  const clock = fakeClock();
  const windows = createPolicyWindows({ now: clock.now });
  windows.reserve(ACCOUNT, [daily], pay(ETH));
  windows.reserve(ACCOUNT, [daily], pay(ETH / 2n)); // exactly at the cap
  refusedBy(() => windows.reserve(ACCOUNT, [daily], pay(1n)), "daily-eth", /limit daily-eth: 1500000000000000000 wei signed in the last 86400 s plus this 1 wei would exceed maxValue 1500000000000000000/);
  windows.reserve(ACCOUNT, [daily], pay(0n)); // zero value still fits
  assert.equal(windows.usage(ACCOUNT, [daily]), [{ id: "daily-eth", window: 86400, value: (3n * ETH / 2n).toString(), count: 3 }]);
});

test("reserve() counts requests of any action against maxCount", () => {
  const windows = createPolicyWindows({ now: fakeClock().now });
  windows.reserve(ACCOUNT, [hourly], msg);
  windows.reserve(ACCOUNT, [hourly], pay(1n));
  windows.reserve(ACCOUNT, [hourly], { action: "authorization", authorization: { chainId: 1, address: ALICE, nonce: 0 } });
  refusedBy(() => windows.reserve(ACCOUNT, [hourly], msg), "hourly-count", /limit hourly-count: 3 requests signed in the last 3600 s, at its maxCount 3/);
  assert.equal(windows.usage(ACCOUNT, [hourly]), [{ id: "hourly-count", window: 3600, value: "1", count: 3 }]);
});

test("reserve() with several limits refuses by the first exceeded, and counts in none", () => {
  const windows = createPolicyWindows({ now: fakeClock().now });
  windows.reserve(ACCOUNT, [daily, hourly], pay(ETH));
  refusedBy(() => windows.reserve(ACCOUNT, [daily, hourly], pay(ETH)), "daily-eth", /daily-eth/);
  assert.equal(windows.usage(ACCOUNT, [daily, hourly]).map((u) => u.count), [1, 1]);
});

test("release() takes a reservation back, once", () => {
  const windows = createPolicyWindows({ now: fakeClock().now });
  const first = windows.reserve(ACCOUNT, [daily, hourly], pay(ETH));
  const second = windows.reserve(ACCOUNT, [daily, hourly], pay(ETH / 2n));
  first.release();
  first.release();
  assert.equal(windows.usage(ACCOUNT, [daily, hourly]), [
    { id: "daily-eth", window: 86400, value: (ETH / 2n).toString(), count: 1 },
    { id: "hourly-count", window: 3600, value: (ETH / 2n).toString(), count: 1 },
  ]);
  windows.reserve(ACCOUNT, [daily], pay(ETH)); // the released ether fits again
  second.release();
  assert.is(windows.usage(ACCOUNT, [daily])[0]?.value, ETH.toString());
});

test("entries leave each window after its length (fake clock), per limit", () => {
  const clock = fakeClock();
  const windows = createPolicyWindows({ now: clock.now });
  for (let i = 0; i < 3; i++) windows.reserve(ACCOUNT, [daily, hourly], pay(ETH / 2n));
  refusedBy(() => windows.reserve(ACCOUNT, [daily, hourly], pay(0n)), "hourly-count", /3 requests/);
  clock.advance(3601);
  assert.equal(windows.usage(ACCOUNT, [daily, hourly]).map((u) => u.count), [3, 0]);
  refusedBy(() => windows.reserve(ACCOUNT, [daily, hourly], pay(1n)), "daily-eth", /would exceed/);
  windows.reserve(ACCOUNT, [daily, hourly], pay(0n));
  clock.advance(86400 - 3601 + 1);
  assert.equal(windows.usage(ACCOUNT, [daily, hourly]).map((u) => [u.value, u.count]), [["0", 1], ["0", 0]]);
  windows.reserve(ACCOUNT, [daily, hourly], pay(3n * ETH / 2n));
});

test("a request stays in its window for the whole window, rounded up to the second, never less", () => {
  const clock = fakeClock(NOW + 400);
  const windows = createPolicyWindows({ now: clock.now });
  const limit: PolicyLimit = { id: "minute", window: 60, maxCount: 1 };
  windows.reserve(ACCOUNT, [limit], msg);
  clock.set(NOW + 400 + 59_999);
  refusedBy(() => windows.reserve(ACCOUNT, [limit], msg), "minute", /1 requests/);
  clock.set(NOW + 61_000); // the entry counted at NOW + 1 s leaves at NOW + 61 s
  windows.reserve(ACCOUNT, [limit], msg);
});

test("a clock that goes backwards never shortens a window", () => {
  const clock = fakeClock();
  const windows = createPolicyWindows({ now: clock.now });
  const limit: PolicyLimit = { id: "minute", window: 60, maxCount: 2 };
  windows.reserve(ACCOUNT, [limit], msg);
  clock.advance(-3600);
  windows.reserve(ACCOUNT, [limit], msg);
  clock.set(NOW + 59_000);
  refusedBy(() => windows.reserve(ACCOUNT, [limit], msg), "minute", /2 requests/);
});

test("wouldAllow() answers like reserve() without counting", () => {
  const windows = createPolicyWindows({ now: fakeClock().now });
  assert.equal(windows.wouldAllow(ACCOUNT, [daily], pay(ETH)), { allowed: true });
  windows.reserve(ACCOUNT, [daily], pay(ETH));
  const check = windows.wouldAllow(ACCOUNT, [daily], pay(ETH));
  assert.is(check.allowed, false);
  assert.is(!check.allowed && check.rule, "daily-eth");
  assert.is(windows.usage(ACCOUNT, [daily])[0]?.count, 1);
  assert.equal(windows.wouldAllow(ACCOUNT, [], pay(10n * ETH)), { allowed: true });
});

test("accounts have separate windows; addresses in any case are one account", () => {
  const windows = createPolicyWindows({ now: fakeClock().now });
  windows.reserve(ACCOUNT, [daily], pay(ETH));
  windows.reserve(other.address, [daily], pay(ETH));
  refusedBy(() => windows.reserve(ACCOUNT.toLowerCase() as `0x${string}`, [daily], pay(ETH)), "daily-eth", /would exceed/);
  assert.is(windows.usage(other.address, [daily])[0]?.value, ETH.toString());
});

test("with no limits nothing is counted and release() is a no-op", () => {
  const windows = createPolicyWindows({ now: fakeClock().now });
  windows.reserve(ACCOUNT, [], pay(100n * ETH)).release();
  assert.equal(windows.usage(ACCOUNT, [daily]), [{ id: "daily-eth", window: 86400, value: "0", count: 0 }]);
});

test("memory stays bounded: past maxEntries the oldest entries merge forward, counts stay exact, release still works", () => {
  const clock = fakeClock();
  const windows = createPolicyWindows({ now: clock.now, maxEntries: 4 });
  const limit: PolicyLimit = { id: "day", window: 86400, maxCount: 1000, maxValue: 1000n };
  const reservations = [];
  for (let i = 0; i < 10; i++) {
    reservations.push(windows.reserve(ACCOUNT, [limit], pay(1n)));
    clock.advance(10);
  }
  assert.equal(windows.usage(ACCOUNT, [limit])[0], { id: "day", window: 86400, value: "10", count: 10 });
  reservations[0]!.release(); // merged into a later entry: released from there
  assert.equal(windows.usage(ACCOUNT, [limit])[0], { id: "day", window: 86400, value: "9", count: 9 });
  clock.advance(86400);
  assert.equal(windows.usage(ACCOUNT, [limit])[0], { id: "day", window: 86400, value: "0", count: 0 });
});

test("createPolicyWindows() refuses a maxEntries below 2", () => {
  assert.throws(() => createPolicyWindows({ maxEntries: 1 }), (e: unknown) => e instanceof RangeError);
});

test("an entry leaves a shorter window at exactly its length even while a longer window still holds it", () => {
  const clock = fakeClock(NOW + 400);
  const windows = createPolicyWindows({ now: clock.now });
  const minute: PolicyLimit = { id: "minute", window: 60, maxCount: 1 };
  const hour: PolicyLimit = { id: "hour", window: 3600, maxCount: 100 };
  windows.reserve(ACCOUNT, [minute, hour], msg); // counted at NOW + 1 s
  clock.set(NOW + 60_999);
  refusedBy(() => windows.reserve(ACCOUNT, [minute, hour], msg), "minute", /1 requests/);
  clock.set(NOW + 61_000); // NOW + 1 s + 60 s: out of the minute, still in the hour
  windows.reserve(ACCOUNT, [minute, hour], msg);
  assert.equal(windows.usage(ACCOUNT, [minute, hour]).map((u) => u.count), [1, 2]);
});

test("expired entries are dropped before the list is capped, so merging never carries an expired request into a window", () => {
  // maxEntries 2: if the entry of NOW + 1 s were still listed at NOW + 17 s, capping would merge it into the one of
  // NOW + 16 s, and the 10-second window would count 3 requests where 2 were signed in it.
  const clock = fakeClock(NOW + 500);
  const windows = createPolicyWindows({ now: clock.now, maxEntries: 2 });
  const limit: PolicyLimit = { id: "ten-seconds", window: 10, maxCount: 3 };
  windows.reserve(ACCOUNT, [limit], msg); // NOW + 1 s
  clock.set(NOW + 15_500);
  windows.reserve(ACCOUNT, [limit], msg); // NOW + 16 s
  clock.set(NOW + 16_500);
  windows.reserve(ACCOUNT, [limit], msg); // NOW + 17 s
  clock.set(NOW + 17_500);
  assert.equal(windows.usage(ACCOUNT, [limit])[0], { id: "ten-seconds", window: 10, value: "0", count: 2 });
  windows.reserve(ACCOUNT, [limit], msg); // the third in the window: allowed
  refusedBy(() => windows.reserve(ACCOUNT, [limit], msg), "ten-seconds", /3 requests/);

  // The same at the edge: the entry of NOW + 1 s leaves the 10-second window at exactly NOW + 11 s.
  const edge = fakeClock(NOW + 500);
  const capped = createPolicyWindows({ now: edge.now, maxEntries: 2 });
  capped.reserve(ACCOUNT, [limit], msg); // NOW + 1 s
  edge.set(NOW + 9_500);
  capped.reserve(ACCOUNT, [limit], msg); // NOW + 10 s
  edge.set(NOW + 11_000);
  capped.reserve(ACCOUNT, [limit], msg); // NOW + 11 s
  edge.set(NOW + 11_500);
  capped.reserve(ACCOUNT, [limit], msg); // NOW + 12 s: the third in the window
  assert.equal(capped.usage(ACCOUNT, [limit])[0]!.count, 3);
});

test.run();
