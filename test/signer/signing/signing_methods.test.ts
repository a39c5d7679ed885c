import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, recoverMessageAddress, recoverTypedDataAddress, stringToBytes, type Hex } from "viem";
import { recoverAuthorizationAddress } from "viem/utils";
import { createKeyStore } from "../../../signer/keys/key_store.ts";
import { signingMethods } from "../../../signer/methods/signing_methods.ts";
import { BaseError } from "../../../signer/protocol/base_error.ts";
import { createPolicyEngine } from "../../../signer/policy/create_policy_engine.ts";

// The sign.* method handlers in-process: params validation, policy refusals, results that recover.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const keyStore = createKeyStore();
const address = keyStore.add(hexToBytes(KEY));
const methods = signingMethods({ keyStore, policy: createPolicyEngine() });
const delegate: Hex = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

const typedData = {
  types: { Greeting: [{ name: "text", type: "string" }] },
  primaryType: "Greeting",
  domain: { name: "test", chainId: 31337 },
  message: { text: "hi" },
};

const code = async (fn: () => unknown): Promise<{ code: string; data: unknown }> => {
  try {
    await fn();
  } catch (error) {
    assert.instance(error, BaseError);
    return { code: (error as BaseError).code, data: (error as BaseError).data };
  }
  assert.unreachable("accepted");
  throw new Error("unreachable");
};

test("sign.message signs the bytes as an EIP-191 personal message", async () => {
  const message = stringToBytes("hello");
  const { signature } = await methods["sign.message"]({ address, message });
  assert.is(await recoverMessageAddress({ message: { raw: message }, signature }), address);
});

test("sign.message refuses a message that is not bytes, and an account it does not hold", async () => {
  assert.is((await code(() => methods["sign.message"]({ address, message: "hello" }))).code, "INVALID_PARAMS");
  assert.is((await code(() => methods["sign.message"]({ address: delegate, message: new Uint8Array(1) }))).code, "UNKNOWN_ACCOUNT");
});

test("sign.typedData signs when the domain's chainId matches the chain (or no chain is given)", async () => {
  for (const chainId of ["0x7a69", undefined]) {
    const { signature } = await methods["sign.typedData"]({ address, typedData, ...(chainId ? { chainId } : {}) });
    assert.is(await recoverTypedDataAddress({ ...typedData, signature } as never), address);
  }
});

test("sign.typedData refuses a domain chainId other than the chain with POLICY_REFUSED and a reason", async () => {
  const refused = await code(() => methods["sign.typedData"]({ address, typedData, chainId: "0x1" }));
  assert.is(refused.code, "POLICY_REFUSED");
  assert.is((refused.data as { rule: string }).rule, "typed-data-chain");
  assert.match((refused.data as { reason: string }).reason, /chainId 31337 does not match chain 1/);
});

test("sign.typedData refuses malformed typed data and a malformed chainId with INVALID_PARAMS", async () => {
  assert.is((await code(() => methods["sign.typedData"]({ address, typedData: JSON.stringify(typedData) }))).code, "INVALID_PARAMS");
  assert.is((await code(() => methods["sign.typedData"]({ address, typedData: { ...typedData, message: { text: 5 } } }))).code, "INVALID_PARAMS");
  assert.is((await code(() => methods["sign.typedData"]({ address, typedData, chainId: 1 }))).code, "INVALID_PARAMS");
});

test("sign.authorization returns an authorizationList entry that recovers to the account", async () => {
  const signed = await methods["sign.authorization"]({ address, authorization: { chainId: "0x7a69", address: delegate, nonce: "0x3" } });
  assert.equal({ chainId: signed.chainId, address: signed.address, nonce: signed.nonce }, { chainId: "0x7a69", address: delegate, nonce: "0x3" });
  const authorization = { chainId: 31337, address: delegate, nonce: 3, r: signed.r, s: signed.s, yParity: Number(signed.yParity) };
  assert.is(await recoverAuthorizationAddress({ authorization }), address);
});

test("sign.authorization refuses chainId 0 (valid on every chain) by policy, and bad fields as params", async () => {
  const refused = await code(() => methods["sign.authorization"]({ address, authorization: { chainId: "0x0", address: delegate, nonce: "0x0" } }));
  assert.equal([refused.code, (refused.data as { rule: string }).rule], ["POLICY_REFUSED", "authorization-any-chain"]);
  assert.is((await code(() => methods["sign.authorization"]({ address, authorization: { chainId: "0x1", address: "0x12", nonce: "0x0" } }))).code, "INVALID_PARAMS");
  assert.is((await code(() => methods["sign.authorization"]({ address, authorization: { chainId: "0x1", address: delegate, nonce: 0 } }))).code, "INVALID_PARAMS");
  assert.is((await code(() => methods["sign.authorization"]({ address, authorization: { chainId: "0x1", address: delegate, nonce: "0x10000000000000000" } }))).code, "INVALID_PARAMS");
  assert.is((await code(() => methods["sign.authorization"]({ address }))).code, "INVALID_PARAMS");
});

test("policy.describe lists every rule the signer refuses by, with the id its refusals carry", async () => {
  const { rules } = await methods["policy.describe"]({});
  assert.equal(rules.map((r) => [r.id, r.method]), [["typed-data-chain", "sign.typedData"], ["authorization-any-chain", "sign.authorization"]]);
  assert.ok(rules.every((r) => r.description.length > 20));
});

test.run();
