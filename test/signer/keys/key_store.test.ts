import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, recoverMessageAddress, type Hex } from "viem";
import { addressOf, createKeyStore } from "../../../signer/keys/key_store.ts";
import { UnknownAccountError } from "../../../signer/signing/signing_errors.ts";
import { WINDOW_KEY_LABEL } from "../../../signer/policy/derive_window_key.ts";
import { createHmac } from "node:crypto";

// The key store's own promises, through its public operations: which keys it accepts, that an account is found
// in any case of its hex and only when held, what list/governance show, and that sign fails by rejecting.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const address = addressOf(hexToBytes(KEY));
const upper = `0x${address.slice(2).toUpperCase()}`;
const lower = address.toLowerCase();
const STRANGER = "0x000000000000000000000000000000000000dEaD";
const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const bytes32 = (n: bigint) => hexToBytes(`0x${n.toString(16).padStart(64, "0")}`);
const governance = { admins: ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8" as Hex], threshold: 1 };

test("add() refuses what is not a secp256k1 private key: wrong length, zero, the group order or above", () => {
  const store = createKeyStore();
  const bad = [new Uint8Array(31).fill(1), new Uint8Array(33).fill(1), new Uint8Array(32), bytes32(N), bytes32(N + 1n), new Uint8Array(32).fill(0xff)];
  for (const key of bad) {
    assert.throws(() => store.add(key), (e: unknown) => e instanceof RangeError && e.message === "Cannot add key: not a valid secp256k1 private key", `${key.length} bytes`);
  }
  // The length is checked on its own: 33 bytes whose first 32 are a valid key are still refused.
  assert.throws(() => store.add(new Uint8Array([...hexToBytes(KEY), 1])), RangeError);
  assert.equal(store.list(), []);
  assert.is(store.add(bytes32(N - 1n)), addressOf(bytes32(N - 1n)), "the largest valid key");
});

test("has/get/governance/remove find a held account in any case of its hex, and only a held one", () => {
  const store = createKeyStore();
  store.add(hexToBytes(KEY), { governance });
  for (const form of [address, lower, upper]) {
    assert.ok(store.has(form), form);
    assert.is(store.get(form).address, address);
    assert.equal(store.governance(form), governance);
  }
  assert.not.ok(store.has(STRANGER));
  assert.is(store.governance(STRANGER), undefined, "an account not held has no governance (not a TypeError)");
  assert.throws(() => store.get(STRANGER), (e: unknown) => e instanceof UnknownAccountError && e.code === new UnknownAccountError(STRANGER).code);
  assert.is(store.remove(STRANGER), false);
  assert.is(store.remove(upper), true);
  assert.not.ok(store.has(address));
  assert.is(store.remove(address), false, "already gone");
});

test("list() shows a label or governance only when the key has one", () => {
  const store = createKeyStore();
  store.add(hexToBytes(KEY));
  const other = hexToBytes("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
  const otherAddress = store.add(other, { label: "treasury", governance });
  assert.equal(store.list(), [{ address }, { address: otherAddress, label: "treasury", governance }]);
  assert.equal(store.get(address), { address });
  assert.equal(Object.keys(store.list()[0]!), ["address"], "no label: undefined member");
});

test("sign() signs with the held key (any case) and rejects, never throws, for an account not held", async () => {
  const store = createKeyStore();
  store.add(hexToBytes(KEY));
  const message = new TextEncoder().encode("hello");
  const signature = await store.sign(upper, { kind: "message", message });
  assert.is(await recoverMessageAddress({ message: { raw: message }, signature }), address);
  let pending: Promise<unknown> | undefined;
  assert.not.throws(() => { pending = store.sign(STRANGER, { kind: "message", message }); });
  try {
    await pending;
    assert.unreachable("signed for an account not held");
  } catch (error) {
    assert.instance(error, UnknownAccountError);
  }
});

test("windowKey() is HMAC-SHA-256(private key, label) for a held account in any case of its hex, and rejects once removed", async () => {
  const store = createKeyStore();
  store.add(hexToBytes(KEY));
  // Independently: the window key is HMAC-SHA-256 keyed by the private key over WINDOW_KEY_LABEL; a tag under it
  // is HMAC-SHA-256 keyed by that derived key.
  const derived = createHmac("sha256", Buffer.from(KEY.slice(2), "hex")).update(WINDOW_KEY_LABEL).digest();
  const data = new TextEncoder().encode("window record");
  const expected = createHmac("sha256", derived).update(data).digest("hex");
  for (const form of [address, lower, upper]) {
    const key = await store.windowKey(form as Hex);
    assert.is(Buffer.from(await crypto.subtle.sign("HMAC", key, data)).toString("hex"), expected, form);
  }
  for (const form of [STRANGER, upper]) {
    if (form === upper) assert.ok(store.remove(lower));
    try {
      await store.windowKey(form as Hex);
      assert.unreachable(`a window key for ${form}`);
    } catch (error) {
      assert.instance(error, UnknownAccountError, form);
    }
  }
});

test("add() derives the window key from a copy it zeroes, and leaves the caller's bytes (now the pool's) intact for signing", async () => {
  // Uint8Array#slice makes its copy with the species constructor: a subclass sees every copy made.
  const made: Uint8Array[] = [];
  class Tracked extends Uint8Array {
    constructor(arg: number | ArrayLike<number>) {
      super(arg as ArrayLike<number>);
      made.push(this);
    }
  }
  const key = new Tracked(hexToBytes(KEY));
  made.length = 0;
  const store = createKeyStore();
  store.add(key);
  await store.windowKey(address);
  assert.ok(made.length >= 1, "add() copied the key");
  for (const copy of made) assert.ok(copy.every((b) => b === 0), "every copy is zero once the window key exists");
  assert.is(Buffer.from(key).toString("hex"), KEY.slice(2), "the pool's key is not the zeroed copy");
  const message = new TextEncoder().encode("after the window key");
  const signature = await store.sign(address, { kind: "message", message });
  assert.is(await recoverMessageAddress({ message: { raw: message }, signature }), address);
});

test.run();
