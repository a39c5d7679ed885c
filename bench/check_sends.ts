import type { Hex } from "viem";

export type CheckSendsResult = {
  /** Transactions of the run found in a block. */
  mined: number;
  /** Blocks mined with `evm_mine` to include transactions that stayed ready in the pool (see below). */
  forcedBlocks: number;
  /** Nonces between the run's first and its highest mined one that no mined transaction of the run uses. */
  nonceGaps: number;
};

/**
 * Checks a run of sends from one account against the node: waits (bounded) until the account's mined nonce
 * has advanced by the number of hashes, then looks every hash up and counts the mined ones and the nonce gaps.
 * Anvil's automine can leave transactions that arrived out of nonce order ready in its pool, mining empty
 * blocks past them; when the mined nonce stops moving while the pool still holds pending transactions, this
 * mines a block with `evm_mine` (Anvil's) and counts it in `forcedBlocks`. It happens after the timed part.
 *
 * @example
 * ```ts
 * const { mined, nonceGaps } = await checkSends(anvilUrl, { address, firstNonce: 0, hashes });
 * ```
 */
export async function checkSends(
  nodeUrl: string,
  run: { address: Hex; firstNonce: number; hashes: readonly Hex[] },
  options: { timeoutMs?: number } = {},
): Promise<CheckSendsResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const target = run.firstNonce + run.hashes.length;
  let forcedBlocks = 0;
  let last = -1;
  let stalledSince = Date.now();
  while (Date.now() < deadline) {
    const [count, pool] = await rpcBatch<Hex | { pending: Hex }>(nodeUrl, [["eth_getTransactionCount", [run.address, "latest"]], ["txpool_status", []]]);
    const mined = Number(count);
    if (mined >= target) break;
    if (mined !== last) {
      last = mined;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 1000 && Number((pool as { pending: Hex }).pending) > 0 && forcedBlocks < 10) {
      await rpcBatch(nodeUrl, [["evm_mine", []]]);
      forcedBlocks++;
      stalledSince = Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const nonces = new Set<number>();
  let mined = 0;
  for (let i = 0; i < run.hashes.length; i += 200) {
    const txs = await rpcBatch<{ nonce: Hex; blockNumber: Hex | null } | null>(
      nodeUrl,
      run.hashes.slice(i, i + 200).map((hash) => ["eth_getTransactionByHash", [hash]]),
    );
    for (const tx of txs) {
      if (!tx?.blockNumber) continue;
      mined++;
      nonces.add(Number(tx.nonce));
    }
  }
  const highest = Math.max(run.firstNonce - 1, ...nonces);
  let nonceGaps = 0;
  for (let n = run.firstNonce; n <= highest; n++) if (!nonces.has(n)) nonceGaps++;
  return { mined, forcedBlocks, nonceGaps };
}

async function rpcBatch<T>(url: string, calls: [string, unknown[]][]): Promise<T[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))),
  });
  const replies = (await response.json()) as { id: number; result?: T; error?: { message: string } }[];
  replies.sort((a, b) => a.id - b.id);
  return replies.map((reply) => {
    if (reply.error) throw new Error(`${url}: ${reply.error.message}`);
    return reply.result as T;
  });
}
