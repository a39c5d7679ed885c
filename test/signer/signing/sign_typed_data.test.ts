import { test } from "uvu";
import * as assert from "uvu/assert";
import { Wallet } from "ethers";
import { hexToBytes, keccak256, recoverTypedDataAddress, stringToBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseTypedData } from "../../../signer/signing/parse_typed_data.ts";
import { signTypedData } from "../../../signer/signing/sign_typed_data.ts";
import { InvalidParamsError } from "../../../signer/protocol/params/invalid_params_error.ts";

// EIP-712's own example (assets/eip-712/Example.js): the "Mail" message signed with keccak256("cow").
const COW = keccak256(stringToBytes("cow"));
const mail = {
  types: {
    EIP712Domain: [
      { name: "name", type: "string" },
      { name: "version", type: "string" },
      { name: "chainId", type: "uint256" },
      { name: "verifyingContract", type: "address" },
    ],
    Person: [{ name: "name", type: "string" }, { name: "wallet", type: "address" }],
    Mail: [{ name: "from", type: "Person" }, { name: "to", type: "Person" }, { name: "contents", type: "string" }],
  },
  primaryType: "Mail",
  domain: { name: "Ether Mail", version: "1", chainId: 1, verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" },
  message: {
    from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
    to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
    contents: "Hello, Bob!",
  },
};

test("signTypedData() reproduces the EIP-712 example signature (known answer)", () => {
  const signature = signTypedData(hexToBytes(COW), parseTypedData(mail).typedData);
  const r = "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d";
  const s = "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562";
  assert.is(signature, `0x${r}${s}1c`);
});

// Anvil's second dev key: a published test key, never a real one.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const account = privateKeyToAccount(KEY);

const permit = {
  types: {
    Permit: [
      { name: "owner", type: "address" }, { name: "spender", type: "address" }, { name: "value", type: "uint256" },
      { name: "nonce", type: "uint256" }, { name: "deadline", type: "uint256" },
    ],
  },
  primaryType: "Permit",
  domain: { name: "USD Coin", version: "2", chainId: "0x7a69", verifyingContract: "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" },
  message: {
    owner: account.address, spender: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
    value: "115792089237316195423570985008687907853269984665640564039457584007913129639935", nonce: 0, deadline: "0x6a0b2c00",
  },
};

test("signTypedData() of a permit with uint256 strings, hex and numbers: identical to viem and ethers", async () => {
  const { typedData, chainId } = parseTypedData(permit);
  assert.is(chainId, 31337n);
  const signature = signTypedData(hexToBytes(KEY), typedData);
  const asBigInt = { ...permit.message, value: 2n ** 256n - 1n, nonce: 0n, deadline: 0x6a0b2c00n };
  const domain = { ...permit.domain, chainId: 31337 };
  assert.is(signature, await account.signTypedData({ types: permit.types, primaryType: "Permit", domain, message: asBigInt } as never));
  assert.is(signature, await new Wallet(KEY).signTypedData(domain, permit.types, asBigInt));
  assert.is(await recoverTypedDataAddress({ ...typedData, signature } as never), account.address);
});

test("parseTypedData() without domain.chainId gives chainId undefined", () => {
  const { name, version, verifyingContract } = permit.domain;
  assert.is(parseTypedData({ ...permit, domain: { name, version, verifyingContract } }).chainId, undefined);
});

const refuses = (fn: () => unknown, field: string) => {
  try {
    fn();
  } catch (error) {
    assert.instance(error, InvalidParamsError);
    assert.ok((error as InvalidParamsError).field.startsWith(field), (error as InvalidParamsError).field);
    return;
  }
  assert.unreachable("accepted");
};

test("parseTypedData() refuses malformed typed data", () => {
  refuses(() => parseTypedData("{}"), "typedData");
  refuses(() => parseTypedData({ ...permit, types: [] }), "typedData.types");
  refuses(() => parseTypedData({ ...permit, types: { Permit: "address owner" } }), "typedData.types");
  refuses(() => parseTypedData({ ...permit, types: { Permit: [{ name: "owner" }] } }), "typedData.types");
  refuses(() => parseTypedData({ ...permit, primaryType: "Transfer" }), "typedData.primaryType");
  refuses(() => parseTypedData({ ...permit, primaryType: "toString" }), "typedData.primaryType");
  refuses(() => parseTypedData({ ...permit, message: undefined }), "typedData.message");
  refuses(() => parseTypedData({ ...permit, domain: { ...permit.domain, chainId: "one" } }), "typedData.domain.chainId");
  refuses(() => parseTypedData({ ...permit, message: { ...permit.message, value: 2 ** 60 } }), "typedData.message.value");
  refuses(() => parseTypedData({ ...permit, message: { ...permit.message, value: 1.5 } }), "typedData.message.value");
  let deep: unknown = 1;
  for (let i = 0; i < 100; i++) deep = [deep];
  refuses(() => parseTypedData({ ...permit, message: { ...permit.message, extra: deep } }), "typedData.message.extra");
});

test("signTypedData() refuses values that do not fit their types, before signing", () => {
  const sign = (message: Record<string, unknown>) => signTypedData(hexToBytes(KEY), parseTypedData({ ...permit, message: { ...permit.message, ...message } }).typedData);
  refuses(() => sign({ owner: "0x1234" }), "typedData");
  refuses(() => sign({ value: "-1" }), "typedData");
  refuses(() => sign({ value: (2n ** 256n).toString() }), "typedData");
  refuses(() => sign({ value: "ten" }), "typedData");
  refuses(() => sign({ deadline: undefined }), "typedData");
  refuses(() => signTypedData(hexToBytes(KEY), parseTypedData({ ...permit, types: { Permit: [{ name: "x", type: "Missing" }] } }).typedData), "typedData");
});

test.run();
