import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, keccak256, parseTransaction as viemParse, recoverTransactionAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseTransaction } from "../../../signer/signing/parse_transaction.ts";
import { signTransaction } from "../../../signer/signing/sign_transaction.ts";
import { InvalidParamsError } from "../../../signer/protocol/params/invalid_params_error.ts";
import { MissingChainIdError } from "../../../signer/signing/signing_errors.ts";
import type { TransactionParams } from "../../../signer/protocol/messages.ts";

// Anvil's second dev key: a published test key, never a real one.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const account = privateKeyToAccount(KEY);
const to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

const cases: [string, TransactionParams, Parameters<typeof account.signTransaction>[0]][] = [
  [
    "legacy (EIP-155)",
    { type: "0x0", chainId: "0x1", nonce: "0x7", gas: "0x5208", gasPrice: "0x4a817c800", to, value: "0xde0b6b3a7640000" },
    { type: "legacy", chainId: 1, nonce: 7, gas: 21000n, gasPrice: 20_000_000_000n, to, value: 10n ** 18n },
  ],
  [
    "EIP-2930 with an access list",
    { type: "0x1", chainId: "0x7a69", nonce: "0x0", gas: "0x7530", gasPrice: "0x3b9aca00", to, value: "0x1", data: "0xdeadbeef",
      accessList: [{ address: to, storageKeys: [`0x${"00".repeat(31)}01`] }] },
    { type: "eip2930", chainId: 31337, nonce: 0, gas: 30000n, gasPrice: 1_000_000_000n, to, value: 1n, data: "0xdeadbeef",
      accessList: [{ address: to, storageKeys: [`0x${"00".repeat(31)}01`] }] },
  ],
  [
    "EIP-1559",
    { type: "0x2", chainId: "0xaa36a7", nonce: "0x2a", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x3b9aca00", to, value: "0x0" },
    { type: "eip1559", chainId: 11155111, nonce: 42, gas: 21000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, to, value: 0n },
  ],
  [
    "EIP-1559 contract creation with input",
    { type: "0x2", chainId: "0x1", nonce: "0x0", gas: "0x30d40", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", input: "0x6000" },
    { type: "eip1559", chainId: 1, nonce: 0, gas: 200000n, maxFeePerGas: 2n, maxPriorityFeePerGas: 1n, data: "0x6000" },
  ],
];

for (const [name, params, viemTx] of cases) {
  test(`signTransaction() ${name}: byte-identical to viem and recovers to the account`, async () => {
    const { raw, hash } = signTransaction(hexToBytes(KEY), parseTransaction(params));
    assert.is(raw, await account.signTransaction(viemTx));
    assert.is(hash, keccak256(raw));
    assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), account.address);
    assert.is(viemParse(raw).chainId, viemTx.chainId);
  });
}

test("a legacy transaction gets v = chainId * 2 + 35 + yParity (EIP-155)", () => {
  const { raw } = signTransaction(hexToBytes(KEY), parseTransaction(cases[0]![1]));
  const v = viemParse(raw as Hex).v!;
  assert.ok(v === 37n || v === 38n, `v = ${v}`);
});

const refuse = (params: unknown, Err: Function, field?: string) => {
  try {
    parseTransaction(params);
  } catch (error) {
    assert.instance(error, Err);
    if (field) assert.is((error as InvalidParamsError).field, field);
    return;
  }
  assert.unreachable("accepted");
};

test("parseTransaction() refuses a legacy transaction without chainId", () => {
  const { chainId: _, ...noChain } = cases[0]![1];
  refuse(noChain, MissingChainIdError);
});

test("parseTransaction() refuses missing fees, bad quantities, bad addresses and conflicting input", () => {
  const base = cases[2]![1];
  refuse({ ...base, maxFeePerGas: undefined }, InvalidParamsError, "maxFeePerGas");
  refuse({ ...base, nonce: "7" }, InvalidParamsError, "nonce");
  refuse({ ...base, nonce: "0x07" }, InvalidParamsError, "nonce");
  refuse({ ...base, gas: 21000 }, InvalidParamsError, "gas");
  refuse({ ...base, to: "0x1234" }, InvalidParamsError, "to");
  refuse({ ...base, data: "0x01", input: "0x02" }, InvalidParamsError, "input");
  refuse({ ...base, type: "0x9" }, InvalidParamsError, "type");
  refuse({ ...base, maxPriorityFeePerGas: "0x77359401" }, InvalidParamsError, "maxPriorityFeePerGas");
  refuse({ ...cases[0]![1], gasPrice: undefined }, InvalidParamsError, "gasPrice");
  refuse("0x00", InvalidParamsError, "transaction");
});

test.run();
