import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { ANVIL_MIXED_MINING, startAnvil } from "../../local/mod_node.ts";
import { call } from "../helpers/rpc.ts";
import { unstrandAnvilPool } from "./unstrand_anvil_pool.ts";

const to: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Anvil as the fault suite runs it, and an account whose transactions at `nonces` sit in its pool "queued" while
 * its next nonce is `next`: sent ahead of the account's nonce, which `anvil_setNonce` then moves, as Anvil's race
 * leaves them (queued at the account's own nonce, and "already imported" when sent again).
 */
async function queuedAt(nonces: number[], next: number, args: readonly string[] = ANVIL_MIXED_MINING) {
  const anvil = await startAnvil({ args: [...args] });
  const account = privateKeyToAccount(generatePrivateKey());
  await call(anvil.url, "anvil_setBalance", [account.address, "0xd3c21bcecceda1000000"]);
  const raws: Hex[] = [];
  const hashes: Hex[] = [];
  for (const nonce of nonces) {
    raws.push(await account.signTransaction({ chainId: 31337, type: "eip1559", to, value: BigInt(nonce), gas: 21_000n, nonce, maxFeePerGas: 10n ** 11n, maxPriorityFeePerGas: 10n ** 9n }));
    hashes.push(await call<Hex>(anvil.url, "eth_sendRawTransaction", [raws.at(-1)]));
  }
  await call(anvil.url, "anvil_setNonce", [account.address, `0x${next.toString(16)}`]);
  return { anvil, address: account.address, raws, hashes };
}

const minedCount = async (url: string, address: Hex) => Number(await call<Hex>(url, "eth_getTransactionCount", [address, "latest"]));

test("unstrandAnvilPool: transactions queued at the account's own nonce are sent again, the same ones, and mined", async () => {
  const { anvil, address, raws, hashes } = await queuedAt([5, 6, 7], 5);
  try {
    // Stranded: blocks come every second, and they stay.
    await sleep(1500);
    assert.is(await minedCount(anvil.url, address), 5);
    const again = await call(anvil.url, "eth_sendRawTransaction", [raws[0]]).catch((error: Error) => error);
    assert.match(String(again), /already imported/);

    assert.is(await unstrandAnvilPool(anvil.url, address), 3);
    for (let i = 0; i < 30 && (await minedCount(anvil.url, address)) < 8; i++) await sleep(100);
    assert.is(await minedCount(anvil.url, address), 8);
    for (const hash of hashes) assert.ok((await call(anvil.url, "eth_getTransactionReceipt", [hash]))?.blockNumber, hash);
  } finally {
    await anvil.service.stop();
  }
});

test("unstrandAnvilPool: a transaction ready at the account's nonce but not mined is mined by a block forced by hand, nothing sent again", async () => {
  // Anvil without mining stands in for its automine passing a ready transaction over.
  const { anvil, address, hashes } = await queuedAt([0, 1], 0, ["--no-mining"]);
  try {
    assert.is(await minedCount(anvil.url, address), 0);
    assert.is(await unstrandAnvilPool(anvil.url, address), 2);
    assert.is(await minedCount(anvil.url, address), 2);
    for (const hash of hashes) assert.ok((await call(anvil.url, "eth_getTransactionReceipt", [hash]))?.blockNumber, hash);
  } finally {
    await anvil.service.stop();
  }
});

test("unstrandAnvilPool: a transaction queued behind a nonce nobody sent is left where it is (it cannot fill a gap)", async () => {
  const { anvil, address, hashes } = await queuedAt([7], 5);
  try {
    assert.is(await unstrandAnvilPool(anvil.url, address), 0);
    await sleep(1500);
    assert.is(await minedCount(anvil.url, address), 5);
    const tx = await call<{ blockNumber: Hex | null } | null>(anvil.url, "eth_getTransactionByHash", [hashes[0]]);
    assert.ok(tx && tx.blockNumber === null, "still in the pool, unmined");
  } finally {
    await anvil.service.stop();
  }
});

test("unstrandAnvilPool: nothing in the pool, nothing done", async () => {
  const anvil = await startAnvil({ args: [...ANVIL_MIXED_MINING] });
  try {
    assert.is(await unstrandAnvilPool(anvil.url, privateKeyToAccount(generatePrivateKey()).address), 0);
  } finally {
    await anvil.service.stop();
  }
});

test.run();
