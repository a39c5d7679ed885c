import { formatTransaction, keccak256, serializeTransaction, type Hex, type RpcTransaction } from "viem";

export type CheckSendsResult = {
  /** Transactions of the run found in a block. */
  mined: number;
  /** Blocks mined with `evm_mine` to include transactions that stayed ready in the pool (see below). */
  forcedBlocks: number;
  /** Nonces between the run's first and its highest mined one that no mined transaction of the run uses. */
  nonceGaps: number;
  /** Signed transactions sent to the node again because it no longer had them (only with `raws`). */
  resent: number;
};

/**
 * Checks a run of sends from one account against the node: waits (bounded) until the account's mined nonce
 * has advanced by the number of hashes, then looks every hash up and counts the mined ones and the nonce gaps.
 * Anvil's automine can leave transactions that arrived out of nonce order ready in its pool, mining empty
 * blocks past them; when they are not all mined a second after the run, blocks are mined with `evm_mine`
 * (Anvil's; at most 20) and counted in `forcedBlocks`. This happens after the timed part, so it changes no
 * rate; a transaction the node really lost stays unmined and is counted so. Anvil's pool also sometimes keeps
 * transactions "queued" although their nonce is the account's next (seen with raw sends: nonces 551…1999
 * queued, 551 mined up to 550; and with viem's local account), and they are then never mined: after five
 * forced blocks the account's transactions are removed from the pool (`anvil_removePoolTransactions`;
 * `anvil_dropTransaction` leaves a queued one where it is, and the same bytes sent again are then "already
 * imported") and the unmined ones sent again, the same signed bytes, in nonce order, and counted in `resent`.
 * The bytes are the run's (`raws`) or, for a library that signs internally, serialized again from the node's
 * own copy of each (checked against its hash).
 *
 * @example
 * ```ts
 * const { mined, nonceGaps } = await checkSends(anvilUrl, { address, firstNonce: 0, hashes });
 * ```
 */
export async function checkSends(
  nodeUrl: string,
  run: { address: Hex; firstNonce: number; hashes: readonly Hex[]; raws?: readonly Hex[] },
  options: { timeoutMs?: number } = {},
): Promise<CheckSendsResult> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  const target = run.firstNonce + run.hashes.length;
  let forcedBlocks = 0;
  let resent = 0;
  const started = Date.now();
  let lastForced = 0;
  while (Date.now() < deadline) {
    const [count] = await rpcBatch<Hex>(nodeUrl, [["eth_getTransactionCount", [run.address, "latest"]]]);
    if (Number(count) >= target) break;
    // Automine gets a second; then what is still pooled is mined by hand (a block holds ~1,400 transfers).
    const now = Date.now();
    if (now - started > 1000 && now - lastForced > 300 && forcedBlocks < 20) {
      if (forcedBlocks === 5) resent = await resendUnmined(nodeUrl, run.address, run.raws ?? await rawsFromNode(nodeUrl, run.hashes));
      await rpcBatch(nodeUrl, [["evm_mine", []]]);
      forcedBlocks++;
      lastForced = Date.now();
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
  return { mined, forcedBlocks, nonceGaps, resent };
}

/** The signed bytes of each of `hashes` the node holds unmined, serialized from its copy (those that hash back). */
export async function rawsFromNode(nodeUrl: string, hashes: readonly Hex[]): Promise<Hex[]> {
  const raws: { nonce: number; raw: Hex }[] = [];
  for (let i = 0; i < hashes.length; i += 200) {
    const txs = await rpcBatch<RpcTransaction | null>(nodeUrl, hashes.slice(i, i + 200).map((hash) => ["eth_getTransactionByHash", [hash]]));
    for (const [j, rpcTx] of txs.entries()) {
      if (!rpcTx || rpcTx.blockNumber) continue;
      const tx = formatTransaction(rpcTx);
      const raw = serializeTransaction(tx as never, { r: tx.r, s: tx.s, ...(tx.yParity === undefined ? { v: tx.v } : { yParity: tx.yParity }) } as never);
      if (keccak256(raw) === hashes[i + j]!.toLowerCase()) raws.push({ nonce: tx.nonce, raw });
    }
  }
  return raws.sort((a, b) => a.nonce - b.nonce).map((r) => r.raw);
}

/** Empties Anvil's pool of `address`'s transactions and sends the unmined ones of `raws` (in nonce order) again, one by one. */
async function resendUnmined(nodeUrl: string, address: Hex, raws: readonly Hex[]): Promise<number> {
  const hashes = raws.map((raw) => keccak256(raw));
  const known = await rpcBatch<{ blockNumber: Hex | null } | null>(nodeUrl, hashes.map((hash) => ["eth_getTransactionByHash", [hash]]));
  const stuck = raws.map((raw, i) => ({ raw, hash: hashes[i]! })).filter((_, i) => !known[i]?.blockNumber);
  if (stuck.length === 0) return 0;
  await rpcBatch(nodeUrl, [["anvil_removePoolTransactions", [address]]], { ignoreErrors: true });
  // One at a time: Anvil answers a batch's entries concurrently, so they can reach its pool out of nonce order
  // again (sent 25 to a batch, 1,890 raw sends stayed queued).
  for (const { raw } of stuck) await rpcBatch(nodeUrl, [["eth_sendRawTransaction", [raw]]], { ignoreErrors: true });
  return stuck.length;
}

async function rpcBatch<T>(url: string, calls: [string, unknown[]][], options: { ignoreErrors?: boolean } = {}): Promise<T[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))),
  });
  const replies = (await response.json()) as { id: number; result?: T; error?: { message: string } }[];
  replies.sort((a, b) => a.id - b.id);
  return replies.map((reply) => {
    if (reply.error && !options.ignoreErrors) throw new Error(`${url}: ${reply.error.message}`);
    return reply.result as T;
  });
}
