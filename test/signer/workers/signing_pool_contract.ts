import { test } from "uvu";
import * as assert from "uvu/assert";
import { hexToBytes, type Hex } from "viem";
import { addressOf } from "../../../signer/keys/key_store.ts";
import { BaseError } from "../../../signer/protocol/base_error.ts";
import { parseTypedData } from "../../../signer/signing/parse_typed_data.ts";
import { signRequest, type SigningRequest } from "../../../signer/workers/sign_request.ts";
import type { SigningPool } from "../../../signer/workers/signing_pool.ts";

// Anvil's second and third dev keys: published test keys, never real ones.
const KEY: Hex = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const OTHER: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const address = addressOf(hexToBytes(KEY));
const other = addressOf(hexToBytes(OTHER));

const transaction = { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" };
const typedData = parseTypedData({
  types: { Greeting: [{ name: "text", type: "string" }] },
  primaryType: "Greeting",
  domain: { name: "test", chainId: 31337 },
  message: { text: "hi" },
}).typedData;
const requests: SigningRequest[] = [
  { kind: "transaction", transaction },
  { kind: "message", message: new TextEncoder().encode("hello") },
  { kind: "typedData", typedData },
  { kind: "authorization", authorization: { chainId: 1, address: "0x5FbDB2315678afecb367f032d93F642f64180aa3", nonce: 3 } },
];

async function failure(p: Promise<unknown>): Promise<BaseError> {
  try {
    await p;
  } catch (error) {
    assert.instance(error, BaseError, String(error));
    return error as BaseError;
  }
  assert.unreachable("expected a rejection");
  throw new Error("unreachable");
}

/**
 * The contract every SigningPool passes (inline, worker threads): the same results as the pure signing
 * functions, the same error codes and data, keys that can be removed and added again.
 */
export function signingPoolContract(name: string, create: () => SigningPool, workers: number): void {
  let pool: SigningPool;
  test.before(() => {
    pool = create();
    pool.addKey(address, hexToBytes(KEY));
    pool.addKey(other, hexToBytes(OTHER));
  });
  test.after(() => pool.close());

  test(`${name}: reports ${workers} workers`, () => {
    assert.is(pool.workers, workers);
  });

  for (const request of requests) {
    test(`${name}: signs a ${request.kind} exactly as the pure signing functions do`, async () => {
      assert.equal(await pool.sign(address, request), signRequest(hexToBytes(KEY), request));
      assert.equal(await pool.sign(other, request), signRequest(hexToBytes(OTHER), request));
    });
  }

  test(`${name}: many concurrent signs all come back, each to its own request`, async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) =>
      pool.sign(i % 2 ? address : other, { kind: "transaction", transaction: { ...transaction, nonce: `0x${i.toString(16)}` } })));
    results.forEach((result, i) => {
      const key = i % 2 ? KEY : OTHER;
      assert.equal(result, signRequest(hexToBytes(key), { kind: "transaction", transaction: { ...transaction, nonce: `0x${i.toString(16)}` } }));
    });
  });

  test(`${name}: refusals keep their stable code and data`, async () => {
    const noChain = { ...transaction } as Record<string, unknown>;
    delete noChain.chainId;
    assert.is((await failure(pool.sign(address, { kind: "transaction", transaction: noChain }))).code, "MISSING_CHAIN_ID");
    const bad = await failure(pool.sign(address, { kind: "transaction", transaction: { ...transaction, gas: 5 } }));
    assert.is(bad.code, "INVALID_PARAMS");
    assert.equal(bad.data, { field: "gas" });
    assert.is(bad.shortMessage, "Invalid gas: expected a hex quantity like \"0x1a\", got number");
    const unhashable = { types: { Mail: [{ name: "to", type: "address" }] }, primaryType: "Mail", domain: { name: "test" }, message: { to: "0x1234" } } as never;
    const refused = await failure(pool.sign(address, { kind: "typedData", typedData: unhashable }));
    assert.is(refused.code, "INVALID_PARAMS");
    assert.equal(refused.data, { field: "typedData" });
  });

  test(`${name}: an error that is not a BaseError crosses by name only`, async () => {
    try {
      await pool.sign(address, { kind: "authorization", authorization: { chainId: -1, address, nonce: 0 } });
      assert.unreachable("signed a negative chain id");
    } catch (error) {
      assert.not.instance(error, BaseError);
      assert.is((error as Error).name, "RangeError");
    }
  });

  test(`${name}: a removed key signs no more (UNKNOWN_ACCOUNT) and can be added again`, async () => {
    pool.removeKey(other);
    const unknown = await failure(pool.sign(other, requests[1]!));
    assert.is(unknown.code, "UNKNOWN_ACCOUNT");
    pool.addKey(other, hexToBytes(OTHER));
    assert.equal(await pool.sign(other, requests[1]!), signRequest(hexToBytes(OTHER), requests[1]!));
  });

  test(`${name}: addresses are matched in any case`, async () => {
    assert.equal(await pool.sign(address.toLowerCase() as Hex, requests[1]!), signRequest(hexToBytes(KEY), requests[1]!));
  });
}
