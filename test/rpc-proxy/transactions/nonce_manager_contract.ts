import { test } from "uvu";
import * as assert from "uvu/assert";
import type { NonceManager } from "../../../rpc-proxy/transactions/nonce_manager.ts";

const A = { from: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", chainId: "0x7a69" } as const;
const B = { from: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", chainId: "0x7a69" } as const;

/**
 * What every nonce manager must do, whatever holds its state (this instance's memory, the fleet's store): each
 * implementation's test file calls it with a factory of fresh, empty managers.
 */
export function nonceManagerContract(name: string, create: () => NonceManager | Promise<NonceManager>): void {
  test(`${name}: nonces are consecutive from the node's pending count, each handed out once`, async () => {
    const nonces = await create();
    assert.is(nonces.next(A), undefined);
    assert.equal(await nonces.take(A, 5, 3), [5, 6, 7]);
    assert.equal(await nonces.take(A, 5, 2), [8, 9], "a stale pending count never hands a nonce out twice");
    assert.equal(await nonces.take(A, 20, 1), [20], "the node ahead (transactions sent from elsewhere): follow it");
    assert.is(nonces.next(A), 21);
  });

  test(`${name}: accounts and chains are separate sequences; hex case does not make a new one`, async () => {
    const nonces = await create();
    assert.equal(await nonces.take(A, 0, 2), [0, 1]);
    assert.equal(await nonces.take(B, 7, 1), [7]);
    assert.equal(await nonces.take({ from: A.from.toLowerCase() as `0x${string}`, chainId: "0x7A69" }, 0, 1), [2]);
    assert.equal(await nonces.take({ ...A, chainId: "0x1" }, 0, 1), [0]);
  });

  test(`${name}: a released nonce below one that reached the node is handed out again first; on top, next goes back`, async () => {
    const nonces = await create();
    assert.equal(await nonces.take(A, 0, 4), [0, 1, 2, 3]);
    await nonces.release(A, [1, 3]);
    assert.is(nonces.released(A), 1, "3 was on top: it simply comes next again");
    assert.is(nonces.next(A), 3);
    assert.equal(await nonces.take(A, 0, 3), [1, 3, 4]);
    assert.is(nonces.released(A), 0);
  });

  test(`${name}: a released nonce the node's pending count has passed is not handed out (it was used after all)`, async () => {
    const nonces = await create();
    assert.equal(await nonces.take(A, 0, 3), [0, 1, 2]);
    await nonces.release(A, [0]);
    assert.is(nonces.released(A), 1);
    assert.equal(await nonces.take(A, 1, 1), [3]);
    assert.is(nonces.released(A), 0);
  });
}
