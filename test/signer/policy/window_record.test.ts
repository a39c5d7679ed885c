import { test } from "uvu";
import * as assert from "uvu/assert";
import { decode, encode } from "cborg";
import { createHmac } from "node:crypto";
import { hexToBytes, type Hex } from "viem";
import { deriveWindowKey } from "../../../signer/policy/derive_window_key.ts";
import { decodeWindowRecord, encodeWindowRecord, MAX_WINDOW_RECORD_ENTRIES } from "../../../signer/policy/window_record.ts";
import { WindowStateInvalidError } from "../../../signer/policy/window_state_errors.ts";
import { ACCOUNT, ANVIL_KEYS, NOW, other } from "./policy_fixtures.ts";

// The fleet's window record (issue 13, docs/fleet-state.md): CBOR + HMAC-SHA-256 under a key derived from the
// account's private key. The tag is recomputed here with node:crypto from the document's words, not the signer's code.
const ACCOUNT_KEY = ANVIL_KEYS[4]!; // the key of ACCOUNT
const OTHER_KEY = ANVIL_KEYS[5]!;
const key = () => deriveWindowKey(hexToBytes(ACCOUNT_KEY));
const ETH = 10n ** 18n;
const hmac = (key: Uint8Array, data: Uint8Array) => new Uint8Array(createHmac("sha256", key).update(data).digest());
const record = {
  account: ACCOUNT,
  version: 7,
  expiresAt: NOW / 1000 + 86400 + 2,
  entries: [
    { at: NOW + 1000, count: 1, value: 0n },
    { at: NOW + 2000, count: 3, value: 300n * ETH }, // past 2^64
  ],
};

async function invalid(promise: Promise<unknown>, reason: RegExp) {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, WindowStateInvalidError);
    const e = error as WindowStateInvalidError;
    assert.is(e.code, "WINDOW_STATE_INVALID");
    assert.equal((e.data as { address: string }).address, ACCOUNT.toLowerCase());
    assert.match(e.reason, reason);
    return;
  }
  assert.unreachable("expected WINDOW_STATE_INVALID");
}

/** A record with this body, tagged with the account's key as the document specifies (for shapes the encoder never makes). */
function tagged(body: unknown, privateKey: Hex = ACCOUNT_KEY): Uint8Array {
  const bytes = encode(body);
  const macKey = hmac(hexToBytes(privateKey), new TextEncoder().encode("nitro-signer window-state v1"));
  return new Uint8Array([...bytes, ...hmac(macKey, bytes)]);
}

test("a record round-trips, and its tag is HMAC-SHA-256(HMAC-SHA-256(private key, label), CBOR body) as documented", async () => {
  const bytes = await encodeWindowRecord(record, await key());
  const body = bytes.slice(0, -32);
  assert.equal(decode(body), {
    v: 1,
    account: ACCOUNT.toLowerCase(),
    version: 7,
    expiresAt: record.expiresAt,
    entries: [[NOW / 1000 + 1, 1, new Uint8Array(0)], [NOW / 1000 + 2, 3, hexToBytes("0x1043561a8829300000")]],
  });
  assert.equal(bytes, tagged(decode(body)));
  const decoded = await decodeWindowRecord(bytes, { account: ACCOUNT, key: await key() });
  assert.equal(decoded, { ...record, account: ACCOUNT.toLowerCase() });
});

test("a tampered byte anywhere, a truncated record, or one of another key is WINDOW_STATE_INVALID", async () => {
  const k = await key();
  const bytes = await encodeWindowRecord(record, k);
  for (const i of [0, 5, bytes.length - 40, bytes.length - 1]) {
    const tampered = bytes.slice();
    tampered[i]! ^= 1;
    await invalid(decodeWindowRecord(tampered, { account: ACCOUNT, key: k }), /tag/);
  }
  await invalid(decodeWindowRecord(bytes.slice(0, -1), { account: ACCOUNT, key: k }), /tag/);
  await invalid(decodeWindowRecord(bytes.slice(0, 32), { account: ACCOUNT, key: k }), /length/);
  await invalid(decodeWindowRecord(new Uint8Array(0), { account: ACCOUNT, key: k }), /length/);
  // Another account's key: its own records (naming it or this account) do not verify under this account's key.
  const otherKey = await deriveWindowKey(hexToBytes(OTHER_KEY));
  await invalid(decodeWindowRecord(await encodeWindowRecord(record, otherKey), { account: ACCOUNT, key: k }), /tag/);
  await invalid(decodeWindowRecord(await encodeWindowRecord({ ...record, account: other.address }, otherKey), { account: ACCOUNT, key: k }), /tag/);
  await invalid(decodeWindowRecord("0x00" as unknown as Uint8Array, { account: ACCOUNT, key: k }), /bytes/);
});

test("a record this key tagged but naming another account, or of a wrong shape, is WINDOW_STATE_INVALID", async () => {
  const k = await key();
  const body = { v: 1, account: ACCOUNT.toLowerCase(), version: 7, expiresAt: 100, entries: [[1, 1, new Uint8Array([1])]] };
  assert.is((await decodeWindowRecord(tagged(body), { account: ACCOUNT, key: k })).version, 7, "the baseline is valid");
  await invalid(decodeWindowRecord(await encodeWindowRecord({ ...record, account: other.address }, k), { account: ACCOUNT, key: k }), /another account/);
  const cases: [Record<string, unknown> | unknown, RegExp][] = [
    [{ ...body, version: "7" }, /version/],
    [{ ...body, version: 0 }, /version/],
    [{ ...body, version: 1.5 }, /version/],
    [{ ...body, version: 2n ** 64n - 1n }, /version/],
    [{ ...body, v: 2 }, /v must be 1/],
    [{ ...body, account: ACCOUNT }, /another account/], // checksummed, not the lowercase form
    [{ ...body, expiresAt: -1 }, /expiresAt/],
    [{ ...body, extra: 1 }, /exactly/],
    [{ v: 1, account: ACCOUNT.toLowerCase(), version: 7, expiresAt: 100 }, /exactly/],
    [[body], /map/],
    [{ ...body, entries: {} }, /entries/],
    [{ ...body, entries: [[1, 1]] }, /\[atSecond, count, wei\]/],
    [{ ...body, entries: [[2, 1, new Uint8Array(0)], [2, 1, new Uint8Array(0)]] }, /increasing/],
    [{ ...body, entries: [[1, -1, new Uint8Array(0)]] }, /count/],
    [{ ...body, entries: [[1, 1, 5]] }, /wei/],
    [{ ...body, entries: [[1, 1, new Uint8Array([0, 1])]] }, /leading zeros/],
    [{ ...body, entries: Array.from({ length: MAX_WINDOW_RECORD_ENTRIES + 1 }, (_, i) => [i + 1, 1, new Uint8Array(0)]) }, /at most 512/],
  ];
  for (const [shape, reason] of cases) await invalid(decodeWindowRecord(tagged(shape), { account: ACCOUNT, key: k }), reason);
  // Not one CBOR item: two items, tagged.
  const twoItems = new Uint8Array([...encode(body), ...encode(1)]);
  const macKey = hmac(hexToBytes(ACCOUNT_KEY), new TextEncoder().encode("nitro-signer window-state v1"));
  await invalid(decodeWindowRecord(new Uint8Array([...twoItems, ...hmac(macKey, twoItems)]), { account: ACCOUNT, key: k }), /CBOR/);
});

test("the window key cannot be exported, and deriveWindowKey() refuses anything but 32 bytes", async () => {
  const k = await key();
  assert.is(k.extractable, false);
  assert.equal([...k.usages].sort(), ["sign", "verify"]);
  try {
    await deriveWindowKey(new Uint8Array(31));
    assert.unreachable("expected a TypeError");
  } catch (error) {
    assert.instance(error, TypeError);
  }
});

test.run();
