import { test } from "uvu";
import * as assert from "uvu/assert";
import { keyEncryptionContext } from "../../../signer/keys/key_encryption_context.ts";
import { createKeyStore } from "../../../signer/keys/key_store.ts";
import type { KeyVault } from "../../../signer/keys/key_vault.ts";
import { parseGovernance } from "../../../signer/keys/parse_governance.ts";
import { KmsError } from "../../../signer/kms/kms_errors.ts";
import { keyMethods } from "../../../signer/methods/key_methods.ts";

// A vault that authenticates the EncryptionContext as KMS does (additional authenticated data): a ciphertext
// opens only under exactly the context it was made with, else InvalidCiphertextException.
function contextCheckingVault(): KeyVault & { contexts: Record<string, string>[] } {
  const blobs = new Map<string, { context: string; plaintext: Uint8Array }>();
  const contexts: Record<string, string>[] = [];
  const canonical = (c: Record<string, string>) => JSON.stringify(Object.entries(c).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    contexts,
    async encrypt({ plaintext, encryptionContext }) {
      contexts.push(encryptionContext);
      const id = crypto.randomUUID();
      blobs.set(id, { context: canonical(encryptionContext), plaintext: plaintext.slice() });
      return new TextEncoder().encode(id);
    },
    async decrypt({ ciphertext, encryptionContext }) {
      const blob = blobs.get(new TextDecoder().decode(ciphertext));
      if (!blob || blob.context !== canonical(encryptionContext)) {
        throw new KmsError("Decrypt", "InvalidCiphertextException");
      }
      return blob.plaintext.slice();
    },
  };
}

/** What a call (sync or async) failed with, or undefined. */
const rejection = async (f: () => unknown): Promise<{ code?: string; message: string } | undefined> => {
  try {
    await f();
    return undefined;
  } catch (error) {
    return error as { code?: string; message: string };
  }
};

const ADMIN_A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ADMIN_B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const ADMIN_C = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

const setup = (vault = contextCheckingVault()) => {
  const keyStore = createKeyStore();
  const methods = keyMethods({
    keyStore,
    nsm: { getRandom: async () => crypto.getRandomValues(new Uint8Array(32)) },
    identity: { privateKey: undefined as unknown as CryptoKey },
    vault,
  });
  return { keyStore, methods, vault };
};

const errorOf = (f: () => unknown): Error => {
  try {
    f();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to throw");
};

test("parseGovernance() returns admins lowercase and sorted, and names the bad field", () => {
  assert.equal(parseGovernance({ admins: [ADMIN_B, ADMIN_A], threshold: 2 }), { admins: [ADMIN_B.toLowerCase(), ADMIN_A.toLowerCase()].sort(), threshold: 2 });
  const cases: [unknown, RegExp][] = [
    [{ admins: [], threshold: 1 }, /governance\.admins: expected 1 to 16/],
    [{ admins: Array.from({ length: 17 }, (_, i) => `0x${(i + 1).toString(16).padStart(40, "0")}`), threshold: 1 }, /governance\.admins: expected 1 to 16/],
    [{ admins: [ADMIN_A, ADMIN_A.toLowerCase()], threshold: 1 }, /governance\.admins\[1\]: duplicate admin/],
    [{ admins: ["0x1234"], threshold: 1 }, /governance\.admins\[0\]/],
    [{ admins: [ADMIN_A], threshold: 0 }, /governance\.threshold/],
    [{ admins: [ADMIN_A], threshold: 2 }, /governance\.threshold/],
    [{ admins: [ADMIN_A], threshold: 1.5 }, /governance\.threshold/],
    [{ admins: [ADMIN_A], threshold: 1, extra: 1 }, /governance\.extra: unknown field/],
    ["1:0x…", /Invalid governance:/],
  ];
  for (const [value, message] of cases) assert.match(errorOf(() => parseGovernance(value)).message, message);
});

test("keyEncryptionContext() adds governance only for a governed key", () => {
  const address = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
  assert.equal(keyEncryptionContext(address), { app: "nitro-eth-signer", address });
  assert.equal(keyEncryptionContext(address, { admins: [ADMIN_B, ADMIN_A], threshold: 1 }), {
    app: "nitro-eth-signer",
    address,
    governance: `1:${[ADMIN_A, ADMIN_B].map((a) => a.toLowerCase()).sort().join(",")}`,
  });
});

test("keys.generate seals the governance into the EncryptionContext and keys.load needs the same to open it", async () => {
  const { methods, vault, keyStore } = setup();
  const governance = { admins: [ADMIN_A, ADMIN_B] as `0x${string}`[], threshold: 2 };
  const generated = await methods["keys.generate"]({ kmsKeyId: "alias/k", governance });
  assert.equal(generated.governance, parseGovernance(governance));
  assert.match(vault.contexts[0]!.governance!, /^2:0x/);
  assert.equal(keyStore.governance(generated.address), parseGovernance(governance));
  assert.equal(await methods["keys.list"](undefined), [{ address: generated.address, policy: { kind: "none", governance: parseGovernance(governance) } }]);

  // A fresh signer (a restart): the record's governance must be the sealed one.
  const fresh = setup(vault);
  const load = (g: unknown) => fresh.methods["keys.load"]({ address: generated.address, ciphertext: generated.ciphertext, ...(g === undefined ? {} : { governance: g }) });
  for (const edited of [undefined, { admins: [ADMIN_A, ADMIN_B], threshold: 1 }, { admins: [ADMIN_A, ADMIN_B, ADMIN_C], threshold: 2 }]) {
    const error = await rejection(() => load(edited));
    assert.ok(error, `loaded with edited governance ${JSON.stringify(edited)}`);
    assert.is(error!.code, "KEY_RECORD_REFUSED");
    assert.match(error!.message, /governance does not verify/);
    assert.is(fresh.keyStore.has(generated.address), false);
  }
  // Order and case of the admins do not matter: one admin set has one form.
  await load({ admins: [ADMIN_B.toLowerCase(), ADMIN_A], threshold: 2 });
  assert.equal(fresh.keyStore.governance(generated.address), parseGovernance(governance));
  // Loaded already: a record with other governance is refused, not ignored.
  assert.is((await rejection(() => load(undefined)))?.code, "KEY_RECORD_REFUSED");
});

test("an unrestricted key's record keeps loading and is listed as unrestricted", async () => {
  const { methods, vault } = setup();
  const { address, ciphertext } = await methods["keys.generate"]({ kmsKeyId: "alias/k", label: "hot" });
  assert.equal(vault.contexts[0], { app: "nitro-eth-signer", address });
  const fresh = setup(vault);
  await fresh.methods["keys.load"]({ address, ciphertext, label: "hot" });
  assert.equal(await fresh.methods["keys.list"](undefined), [{ address, label: "hot", policy: { kind: "unrestricted" } }]);
  const governed = await rejection(() => fresh.methods["keys.load"]({ address, ciphertext, governance: { admins: [ADMIN_A], threshold: 1 } }));
  assert.is(governed?.code, "KEY_RECORD_REFUSED");
});

test("memory-only keys may be governed; bad governance is refused before any key is made", async () => {
  const { methods, keyStore } = setup();
  const { address, ciphertext, governance } = await methods["keys.generate"]({ governance: { admins: [ADMIN_C], threshold: 1 } });
  assert.is(ciphertext, undefined);
  assert.equal(governance, { admins: [ADMIN_C.toLowerCase()], threshold: 1 });
  assert.equal(keyStore.governance(address), governance);
  const bad = await rejection(() => methods["keys.generate"]({ governance: { admins: [ADMIN_C], threshold: 2 } }));
  assert.is(bad?.code, "INVALID_PARAMS");
  assert.match(bad!.message, /governance\.threshold/);
  assert.is(keyStore.list().length, 1);
});

test("keys.list takes each account's policy from accountPolicy when given", async () => {
  const keyStore = createKeyStore();
  const methods = keyMethods({
    keyStore,
    nsm: { getRandom: async () => crypto.getRandomValues(new Uint8Array(32)) },
    identity: { privateKey: undefined as unknown as CryptoKey },
    accountPolicy: () => ({ kind: "policy", governance: { admins: [ADMIN_A], threshold: 1 }, digest: `0x${"ab".repeat(32)}`, sequence: 3, notAfter: "2030-01-01T00:00:00Z" }),
  });
  const { address } = await methods["keys.generate"]({});
  const [account] = await methods["keys.list"](undefined);
  assert.is(account!.address, address);
  assert.is(account!.policy?.kind, "policy");
});

test.run();
