import { test } from "uvu";
import * as assert from "uvu/assert";
import { Transaction } from "ethers";
import { hexToBytes, keccak256, parseTransaction as viemParse, recoverTransactionAddress, sha256, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseTransaction } from "../../../signer/signing/parse_transaction.ts";
import { signTransaction } from "../../../signer/signing/sign_transaction.ts";
import { InvalidParamsError } from "../../../signer/protocol/params/invalid_params_error.ts";
import type { TransactionParams } from "../../../signer/protocol/messages.ts";

// EIP-4844 and EIP-7702 transactions signed from their JSON-RPC form, checked against viem's serializer and
// independently decoded and recovered by ethers v6.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const account = privateKeyToAccount(KEY);
const authority = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
const to = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const delegate = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
// The all-zero blob's KZG commitment is the point at infinity; its versioned hash is 0x01 ‖ sha256(c)[1:].
const commitment = `0xc0${"00".repeat(47)}` as Hex;
const versionedHash = `0x01${sha256(commitment).slice(4)}` as Hex;

test("EIP-4844: byte-identical to viem, decoded and recovered by ethers", async () => {
  const params: TransactionParams = {
    type: "0x3", chainId: "0x7a69", nonce: "0x5", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x3b9aca00",
    maxFeePerBlobGas: "0x3b9aca00", to, value: "0x1", blobVersionedHashes: [versionedHash],
  };
  const { raw, hash } = signTransaction(hexToBytes(KEY), parseTransaction(params));
  const expected = await account.signTransaction({
    type: "eip4844", chainId: 31337, nonce: 5, gas: 21000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n,
    maxFeePerBlobGas: 1_000_000_000n, to, value: 1n, blobVersionedHashes: [versionedHash],
  });
  assert.is(raw, expected);
  assert.is(hash, keccak256(raw));
  const decoded = Transaction.from(raw);
  assert.is(decoded.type, 3);
  assert.equal(decoded.blobVersionedHashes, [versionedHash]);
  assert.is(decoded.from, account.address);
  assert.is(decoded.hash, hash);
});

test("EIP-7702 with an authorization as viem formats it (r, s as quantities): identical to viem, recovered by ethers", async () => {
  const auth = await authority.signAuthorization({ chainId: 31337, address: delegate, nonce: 0 });
  // viem's JSON-RPC formatter sends r and s without leading zeros; alloy (cast) does the same.
  const trim = (x: Hex) => `0x${x.slice(2).replace(/^0+(?=.)/, "")}` as Hex;
  const params: TransactionParams = {
    type: "0x4", chainId: "0x7a69", nonce: "0x0", gas: "0x186a0", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x1", to, value: "0x0",
    authorizationList: [{ chainId: "0x7a69", address: delegate, nonce: "0x0", yParity: `0x${auth.yParity}`, r: trim(auth.r), s: trim(auth.s) }],
  };
  const { raw } = signTransaction(hexToBytes(KEY), parseTransaction(params));
  const expected = await account.signTransaction({
    type: "eip7702", chainId: 31337, nonce: 0, gas: 100000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1n, to, value: 0n,
    authorizationList: [auth],
  });
  assert.is(raw, expected);
  assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), account.address);
  const decoded = Transaction.from(raw);
  assert.is(decoded.type, 4);
  assert.is(decoded.from, account.address);
  assert.is(decoded.authorizationList?.[0]?.address, delegate);
  assert.is(viemParse(raw).authorizationList?.[0]?.r, auth.r);
});

test("parseTransaction() refuses blob and set-code transactions that cannot be valid", () => {
  const blob: TransactionParams = {
    type: "0x3", chainId: "0x1", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", maxFeePerBlobGas: "0x1",
    to, blobVersionedHashes: [versionedHash],
  };
  const setCode: TransactionParams = {
    type: "0x4", chainId: "0x1", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to,
    authorizationList: [{ chainId: "0x1", address: delegate, nonce: "0x0", yParity: "0x0", r: "0x1", s: "0x1" }],
  };
  const refuse = (params: unknown, field: string) => {
    try {
      parseTransaction(params);
    } catch (error) {
      assert.instance(error, InvalidParamsError);
      assert.is((error as InvalidParamsError).field, field);
      return;
    }
    assert.unreachable(`accepted (${field})`);
  };
  refuse({ ...blob, to: undefined }, "to");
  refuse({ ...blob, blobVersionedHashes: [] }, "blobVersionedHashes");
  refuse({ ...blob, blobVersionedHashes: [`0x02${versionedHash.slice(4)}`] }, "blobVersionedHashes[0]");
  refuse({ ...blob, maxFeePerBlobGas: undefined }, "maxFeePerBlobGas");
  refuse({ ...setCode, to: null }, "to");
  refuse({ ...setCode, authorizationList: [] }, "authorizationList");
  refuse({ ...setCode, authorizationList: [{ ...setCode.authorizationList![0], yParity: "0x2" }] }, "authorizationList[0].yParity");
  refuse({ ...setCode, authorizationList: [{ ...setCode.authorizationList![0], r: `0x${"1".repeat(65)}` }] }, "authorizationList[0].r");
  refuse({ ...setCode, authorizationList: [{ ...setCode.authorizationList![0], nonce: "0xffffffffffffffff" }] }, "authorizationList[0].nonce");
  refuse({ ...setCode, authorizationList: ["0x00"] }, "authorizationList[0]");
});

test.run();
