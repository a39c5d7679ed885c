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

// ── Edges and exact reasons (issue 20: mutation testing of the fleet's window record) ──

/** Bytes tagged with the account's key as the document specifies, for encodings cborg's encoder never makes. */
function taggedBytes(body: Uint8Array): Uint8Array {
  const macKey = hmac(hexToBytes(ACCOUNT_KEY), new TextEncoder().encode("nitro-signer window-state v1"));
  return new Uint8Array([...body, ...hmac(macKey, body)]);
}
async function reason(bytes: unknown): Promise<string> {
  try {
    await decodeWindowRecord(bytes, { account: ACCOUNT, key: await key() });
  } catch (error) {
    assert.instance(error, WindowStateInvalidError);
    return (error as WindowStateInvalidError).reason;
  }
  return "(valid)";
}
const baseBody = { v: 1, account: ACCOUNT.toLowerCase(), version: 7, expiresAt: 100, entries: [[1, 1, new Uint8Array([1])]] };

test("decodeWindowRecord(): a record of 33..65536 bytes reaches the tag check; 32 and 65537 are refused by length", async () => {
  assert.is(await reason(new Uint8Array(33)), "its tag is not this account's key's");
  assert.is(await reason(new Uint8Array(64 * 1024)), "its tag is not this account's key's");
  assert.is(await reason(new Uint8Array(32)), "length 32 is out of range");
  assert.is(await reason(new Uint8Array(64 * 1024 + 1)), "length 65537 is out of range");
  assert.is(await reason(null), "expected the record as bytes, or null");
});

test("decodeWindowRecord(): CBOR must be strict (shortest integers) and without duplicate keys, even under a good tag", async () => {
  const pairs = (entries: [string, Uint8Array][]) => entries.flatMap(([k, v]) => [...encode(k), ...v]);
  const fields: [string, Uint8Array][] = [
    ["v", encode(1)], ["account", encode(baseBody.account)], ["version", encode(7)], ["expiresAt", encode(100)], ["entries", encode(baseBody.entries)],
  ];
  const map = (entries: [string, Uint8Array][]) => new Uint8Array([0xa0 + entries.length, ...pairs(entries)]);
  assert.is((await decodeWindowRecord(taggedBytes(map(fields)), { account: ACCOUNT, key: await key() })).version, 7, "the hand-built baseline is valid");
  // version 7 as a two-byte integer (0x19 0x0007): not the shortest form.
  const longVersion = fields.map(([k, v]): [string, Uint8Array] => [k, k === "version" ? new Uint8Array([0x19, 0x00, 0x07]) : v]);
  assert.is(await reason(taggedBytes(map(longVersion))), "not one CBOR item");
  // "v" twice with the same value: a lenient decoder would keep one and see five keys.
  assert.is(await reason(taggedBytes(map([...fields, ["v", encode(1)]]))), "not one CBOR item");
});

test("decodeWindowRecord(): only a map will do, and each field's reason is exact", async () => {
  for (const body of [null, 1, "x", new Uint8Array(3), [1]]) assert.is(await reason(tagged(body)), "expected a map", String(body));
  assert.is(await reason(tagged({ ...baseBody, extra: 1 })), "expected exactly v, account, version, expiresAt, entries");
  assert.is(await reason(tagged({ ...baseBody, v: 2 })), "v must be 1");
  assert.is(await reason(tagged({ ...baseBody, account: other.address.toLowerCase() })), "it names another account");
  assert.is(await reason(tagged({ ...baseBody, version: 0 })), "version must be an integer ≥ 1");
  assert.is(await reason(tagged({ ...baseBody, expiresAt: 1.5 })), "expiresAt must be an integer ≥ 0");
  assert.is(await reason(tagged({ ...baseBody, expiresAt: 0, version: 1 })), "(valid)");
  assert.is(await reason(tagged({ ...baseBody, entries: "x" })), "entries must be a list of at most 512");
  assert.is(await reason(tagged({ ...baseBody, entries: [[1, 1, new Uint8Array(0), 0]] })), "an entry must be [atSecond, count, wei]");
  assert.is(await reason(tagged({ ...baseBody, entries: [5] })), "an entry must be [atSecond, count, wei]");
  assert.is(await reason(tagged({ ...baseBody, entries: [[1, 1.5, new Uint8Array(0)]] })), "an entry's count must be an integer ≥ 0");
  assert.is(await reason(tagged({ ...baseBody, entries: [[1, 1, new Uint8Array(41).fill(1)]] })), "an entry's wei must be big-endian bytes without leading zeros");
  assert.is(await reason(tagged({ ...baseBody, entries: [[2, 1, new Uint8Array(0)], [1, 1, new Uint8Array(0)]] })), "entries' atSecond must be integers in increasing order");
});

test("decodeWindowRecord(): entry edges — atSecond 0 and up to MAX_SAFE_INTEGER / 1000, 40-byte wei, 512 entries", async () => {
  const k = await key();
  const one = (at: number, wei: Uint8Array) => tagged({ ...baseBody, entries: [[at, 2, wei]] });
  assert.equal((await decodeWindowRecord(one(0, new Uint8Array(0)), { account: ACCOUNT, key: k })).entries, [{ at: 0, count: 2, value: 0n }]);
  const last = Math.floor(Number.MAX_SAFE_INTEGER / 1000); // 9007199254740
  assert.equal((await decodeWindowRecord(one(last, new Uint8Array([1, 0])), { account: ACCOUNT, key: k })).entries, [{ at: last * 1000, count: 2, value: 256n }]);
  assert.is(await reason(one(last + 1, new Uint8Array(0))), "entries' atSecond must be integers in increasing order");
  const wei40 = new Uint8Array(40).fill(0xff);
  assert.is((await decodeWindowRecord(one(1, wei40), { account: ACCOUNT, key: k })).entries[0]!.value, 2n ** 320n - 1n);
  const entries512 = Array.from({ length: MAX_WINDOW_RECORD_ENTRIES }, (_, i) => [i + 1, 1, new Uint8Array(0)]);
  assert.is((await decodeWindowRecord(tagged({ ...baseBody, entries: entries512 }), { account: ACCOUNT, key: k })).entries.length, 512);
});

test("encodeWindowRecord() refuses a version below 1 or not an integer, more than 512 entries, and negative wei", async () => {
  const k = await key();
  for (const version of [0, 1.5, Number.NaN, 2 ** 53]) {
    try {
      await encodeWindowRecord({ ...record, version }, k);
      assert.unreachable(`version ${version}`);
    } catch (error) {
      assert.instance(error, RangeError);
      assert.is((error as Error).message, "Cannot encode window record: version must be an integer ≥ 1");
    }
  }
  assert.is((await decodeWindowRecord(await encodeWindowRecord({ ...record, version: 1 }, k), { account: ACCOUNT, key: k })).version, 1);
  const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ at: NOW + i * 1000, count: 1, value: 1n }));
  assert.is((await decodeWindowRecord(await encodeWindowRecord({ ...record, entries: entries(512) }, k), { account: ACCOUNT, key: k })).entries.length, 512);
  try {
    await encodeWindowRecord({ ...record, entries: entries(513) }, k);
    assert.unreachable("513 entries");
  } catch (error) {
    assert.instance(error, RangeError);
    assert.is((error as Error).message, "Cannot encode window record: more than 512 entries");
  }
  try {
    await encodeWindowRecord({ ...record, entries: [{ at: NOW, count: 1, value: -1n }] }, k);
    assert.unreachable("negative wei");
  } catch (error) {
    assert.instance(error, RangeError);
    assert.is((error as Error).message, "Cannot encode window record: negative wei");
  }
});

test("deriveWindowKey() refuses anything but 32 bytes with one message, makes no exportable key, and zeroes the derived key bytes once imported", async () => {
  for (const input of [new Uint8Array(31), new Uint8Array(33), Array.from({ length: 32 }, () => 1), "0".repeat(32)]) {
    try {
      await deriveWindowKey(input as unknown as Uint8Array);
      assert.unreachable("accepted");
    } catch (error) {
      assert.instance(error, TypeError);
      assert.is((error as Error).message, "Cannot derive window key: expected a 32-byte private key");
    }
  }
  const subtle = crypto.subtle as SubtleCrypto & { importKey: SubtleCrypto["importKey"] };
  const original = subtle.importKey;
  const imported: Uint8Array[] = [];
  const keys: CryptoKey[] = [];
  subtle.importKey = (async (format: KeyFormat, data: BufferSource, ...rest: unknown[]) => {
    const made = await (original as (...a: unknown[]) => Promise<CryptoKey>).call(subtle, format, data, ...rest);
    if (format === "raw") {
      imported.push(data as Uint8Array);
      keys.push(made);
    }
    return made;
  }) as SubtleCrypto["importKey"];
  let derivedKey: CryptoKey;
  try {
    derivedKey = await deriveWindowKey(hexToBytes(ACCOUNT_KEY));
  } finally {
    delete (subtle as { importKey?: unknown }).importKey;
    if (subtle.importKey !== original) subtle.importKey = original;
  }
  assert.is(imported.length, 2, "the private key, then the derived key");
  assert.ok(imported[1]!.length === 32 && imported[1]!.every((b) => b === 0), "the derived bytes are zeroed");
  // Neither the private key's HMAC key nor the derived one can be exported.
  assert.equal(keys.map((k) => [k.extractable, [...k.usages].sort()]), [[false, ["sign"]], [false, ["sign", "verify"]]]);
  // Still the documented key: a tag it makes is HMAC-SHA-256 under HMAC-SHA-256(private key, label), recomputed here.
  const macKey = hmac(hexToBytes(ACCOUNT_KEY), new TextEncoder().encode("nitro-signer window-state v1"));
  const data = new TextEncoder().encode("probe");
  assert.equal(new Uint8Array(await crypto.subtle.sign("HMAC", derivedKey, data)), hmac(macKey, data));
});

test.run();
