import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, type Hex } from "viem";
import { addressOf, createKeyStore } from "../../../signer/keys/key_store.ts";
import type { KeyVault } from "../../../signer/keys/key_vault.ts";
import { keyMethods } from "../../../signer/methods/key_methods.ts";
import { createInlineSigningPool } from "../../../signer/workers/create_inline_signing_pool.ts";
import { createSigningWorkerHandler } from "../../../signer/workers/create_signing_worker_handler.ts";
import { createWorkerSigningPool } from "../../../signer/workers/create_worker_signing_pool.ts";
import type { SigningReply, SigningWorkerInbound, SigningWorkerPort } from "../../../signer/workers/signing_pool.ts";

// keys.unload promises that every copy of a key's bytes is zeroed (DESIGN §4, STYLE rule 7). The pool and the
// worker take ownership of the array they are given and keep it, so a test that holds on to that array sees
// exactly the bytes that were used to sign, and can check that they are all zero after the key went.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const OTHER: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const address = addressOf(hexToBytes(KEY));
const message = { kind: "message", message: new Uint8Array([1]) } as const;
const zeroed = (bytes: Uint8Array) => bytes.length === 32 && bytes.every((b) => b === 0);

test("inline pool: removeKey zeroes the very array the key was added with (the one it signed with)", async () => {
  const pool = createInlineSigningPool();
  const key = hexToBytes(KEY);
  pool.addKey(address, key);
  await pool.sign(address, message);
  assert.ok(!zeroed(key), "kept as given while held");
  pool.removeKey(address);
  assert.ok(zeroed(key), `after removeKey: ${key}`);
  pool.close();
});

test("inline pool: adding a key again for the same address zeroes the bytes it replaces; close zeroes the rest", () => {
  const pool = createInlineSigningPool();
  const first = hexToBytes(KEY);
  const second = hexToBytes(KEY);
  const other = hexToBytes(OTHER);
  pool.addKey(address, first);
  pool.addKey(address, second);
  assert.ok(zeroed(first), "the replaced copy");
  pool.addKey(addressOf(hexToBytes(OTHER)), other);
  pool.close();
  assert.ok(zeroed(second) && zeroed(other), "close");
});

test("worker handler: remove and clear zero the worker's own copy of the key", () => {
  const handler = createSigningWorkerHandler();
  const id = address.toLowerCase();
  const key = hexToBytes(KEY);
  handler.handle({ type: "add", address: id, key });
  const [reply] = handler.handle({ type: "sign", jobs: [{ id: 1, address: id, request: message }] })!;
  assert.ok(reply && "result" in reply, "signed with it");
  handler.handle({ type: "remove", address: id });
  assert.ok(zeroed(key), `after remove: ${key}`);

  const replaced = hexToBytes(KEY);
  const again = hexToBytes(KEY);
  handler.handle({ type: "add", address: id, key: replaced });
  handler.handle({ type: "add", address: id, key: again });
  assert.ok(zeroed(replaced), "the copy a second add replaces");
  handler.handle({ type: "clear" });
  assert.ok(zeroed(again), `after clear: ${again}`);
});

/** A worker port that runs the real handler in this thread, on a structured clone as a real worker gets. */
function inThreadWorkers(copies: Uint8Array[]): () => SigningWorkerPort {
  return () => {
    const handler = createSigningWorkerHandler();
    let onReplies: (replies: SigningReply[]) => void = () => {};
    return {
      postMessage(message: SigningWorkerInbound) {
        const copy = structuredClone(message);
        if (copy.type === "add") copies.push(copy.key);
        const replies = handler.handle(copy);
        if (replies) queueMicrotask(() => onReplies(replies));
      },
      listen(r) {
        onReplies = r;
      },
      terminate() {},
    };
  };
}

test("key store over a worker pool: the caller's bytes are zeroed at add, and keys.unload zeroes every worker's copy", async () => {
  const copies: Uint8Array[] = [];
  const store = createKeyStore({ pool: createWorkerSigningPool(inThreadWorkers(copies), { workers: 3 }) });
  const key = hexToBytes(KEY);
  store.add(key);
  assert.ok(zeroed(key), "the caller's array");
  assert.is(copies.length, 3);
  await store.sign(address, message);
  assert.ok(copies.every((c) => !zeroed(c)), "each worker holds the key");
  const methods = keyMethods({ keyStore: store, nsm: { getRandom: async () => new Uint8Array(32) }, identity: { privateKey: undefined as unknown as CryptoKey } });
  assert.equal(await methods["keys.unload"]({ address }), { removed: true });
  assert.ok(copies.every(zeroed), "every worker's copy");
});

test("key store (default inline pool): keys.unload zeroes the bytes keys.load got from KMS; a duplicate add zeroes its bytes", async () => {
  const plaintexts: Uint8Array[] = [];
  const vault: KeyVault = {
    encrypt: async () => new Uint8Array([1]),
    async decrypt() {
      const plaintext = hexToBytes(KEY);
      plaintexts.push(plaintext);
      return plaintext;
    },
  };
  const keyStore = createKeyStore();
  const methods = keyMethods({ keyStore, vault, nsm: { getRandom: async () => new Uint8Array(32) }, identity: { privateKey: undefined as unknown as CryptoKey } });
  const ciphertext = Buffer.from([1]).toString("base64");
  await methods["keys.load"]({ address, ciphertext });
  assert.is(plaintexts.length, 1);
  const duplicate = hexToBytes(KEY);
  assert.is(keyStore.add(duplicate), address);
  assert.ok(zeroed(duplicate), "a second add of a held key is dropped and zeroed");
  assert.ok(!zeroed(plaintexts[0]!), "the held bytes");
  await keyStore.sign(address, message);
  assert.equal(await methods["keys.unload"]({ address }), { removed: true });
  assert.ok(zeroed(plaintexts[0]!), `after keys.unload: ${plaintexts[0]}`);
  assert.equal(await methods["keys.unload"]({ address }), { removed: false });
});

test.run();
