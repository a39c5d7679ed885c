import { createWalletClient, http, type Hex } from "viem";
import type { SendOutcome } from "./run_send_load.ts";
import { unstrandAnvilPool } from "./unstrand_anvil_pool.ts";

export type Settlement = {
  /** Transactions from the account mined since `fromBlock` whose value is one of this case's request ids. */
  mined: number;
  /** Acknowledged hashes (success) with no receipt after the wait. */
  ackedNeverMined: number;
  /** Request ids (values) mined more than once: extra copies. */
  duplicates: number;
  /** Nonces handed out but never mined, seen by a probe send after the case (0 when the probe mines). */
  nonceGaps: number;
  /**
   * Transactions Anvil held at the account's own nonce without mining them, moved by the suite (a block mined by
   * hand, or the same bytes sent again: `unstrandAnvilPool`): Anvil's race, not the proxy's doing, so reported,
   * not failed.
   */
  nodeStranded: number;
  /**
   * When some acknowledged hash was not mined: what the node says of (up to 10 of) them, and the account's mined
   * and pending counts, so a failure shows whether the node lost them (unknown) or holds them (with their nonces).
   */
  notMined?: { counts: { latest: number; pending: number }; hashes: { hash: Hex; nonce?: number; node: "unknown" | "held" }[] };
};

async function node<T = any>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await response.json()) as T;
}

async function call<T = any>(url: string, method: string, params: unknown[]): Promise<T> {
  const reply = await node<{ result?: T; error?: { message: string } }>(url, { jsonrpc: "2.0", id: 1, method, params });
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Block number now, straight from the node. */
export async function blockNumber(nodeUrl: string): Promise<number> {
  return Number(await call<Hex>(nodeUrl, "eth_blockNumber", []));
}

/**
 * What became of a case's requests, asked of the node directly (not through the proxy): waits up to `waitMs`
 * for every acknowledged hash to be mined, scans the blocks since `fromBlock` for the account's transactions
 * (values are request ids: a value seen twice is a duplicate), then sends one probe through the proxy and waits
 * for it: if the proxy handed out a nonce that never reached the chain, the probe is stuck behind it. While it
 * waits, every 2 s, transactions Anvil's pool keeps from being mined are moved (`unstrandAnvilPool`, counted in
 * `nodeStranded`).
 *
 * @example
 * ```ts
 * const s = await settleTransactions({ nodeUrl, proxyUrl, account, outcomes, fromBlock, ids: [first, last] });
 * ```
 */
export async function settleTransactions(options: {
  nodeUrl: string;
  proxyUrl: string;
  account: Hex;
  outcomes: readonly SendOutcome[];
  fromBlock: number;
  probeId: number;
  waitMs?: number;
}): Promise<Settlement> {
  const { nodeUrl, account } = options;
  const acked = options.outcomes.filter((o) => o.kind === "success").map((o) => o.hash!);
  const waitUntil = Date.now() + (options.waitMs ?? 30_000);
  let nodeStranded = 0;
  let checkedPoolAt = Date.now();
  const unstrand = async () => {
    if (Date.now() - checkedPoolAt < 2000) return;
    checkedPoolAt = Date.now();
    nodeStranded += await unstrandAnvilPool(nodeUrl, account);
  };
  let missing = [...new Set(acked)];
  while (missing.length > 0) {
    const receipts: any[] = [];
    for (let i = 0; i < missing.length; i += 200) {
      const replies = await node<any[]>(nodeUrl, missing.slice(i, i + 200).map((hash, j) => ({ jsonrpc: "2.0", id: j, method: "eth_getTransactionReceipt", params: [hash] })));
      receipts.push(...replies.sort((a, b) => a.id - b.id).map((r) => r.result));
    }
    missing = missing.filter((_, i) => !receipts[i]);
    if (missing.length === 0 || Date.now() > waitUntil) break;
    await unstrand();
    await sleep(500);
  }

  // Probe: one more send through the proxy (retried while the proxy answers errors, e.g. still recovering).
  const client = createWalletClient({ transport: http(options.proxyUrl, { timeout: 30_000, retryCount: 0 }) });
  let probe: Hex | undefined;
  for (let attempt = 0; attempt < 30 && !probe; attempt++) {
    try {
      probe = await client.sendTransaction({ account, to: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", value: BigInt(options.probeId), chain: null });
    } catch {
      await sleep(1000);
    }
  }
  let nonceGaps = 0;
  if (probe) {
    let receipt: unknown;
    for (let i = 0; i < 60 && !receipt; i++) {
      receipt = await call(nodeUrl, "eth_getTransactionReceipt", [probe]);
      if (!receipt) await unstrand().then(() => sleep(500));
    }
    if (!receipt) {
      const tx = await call<{ nonce: Hex } | null>(nodeUrl, "eth_getTransactionByHash", [probe]);
      const latest = Number(await call<Hex>(nodeUrl, "eth_getTransactionCount", [account, "latest"]));
      nonceGaps = tx ? Math.max(1, Number(tx.nonce) - latest) : 1;
    }
  } else {
    nonceGaps = -1; // the proxy never accepted the probe: unknown (reported, and not 0)
  }

  const ids = new Set(options.outcomes.map((o) => o.id));
  const counts = new Map<number, number>();
  const to = await blockNumber(nodeUrl);
  for (let b = options.fromBlock; b <= to; b += 100) {
    const batch = Array.from({ length: Math.min(100, to - b + 1) }, (_, j) => ({ jsonrpc: "2.0", id: j, method: "eth_getBlockByNumber", params: [`0x${(b + j).toString(16)}`, true] }));
    for (const reply of await node<any[]>(nodeUrl, batch)) {
      for (const tx of reply.result?.transactions ?? []) {
        if (tx.from.toLowerCase() !== account.toLowerCase()) continue;
        const id = Number(BigInt(tx.value));
        if (ids.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
  }
  let mined = 0;
  let duplicates = 0;
  for (const n of counts.values()) {
    mined += n;
    duplicates += n - 1;
  }
  const settlement: Settlement = { mined, ackedNeverMined: missing.length, duplicates, nonceGaps, nodeStranded };
  if (missing.length > 0) {
    const shown = missing.slice(0, 10);
    const [[latest, pending], txs] = await Promise.all([
      Promise.all(["latest", "pending"].map((tag) => call<Hex>(nodeUrl, "eth_getTransactionCount", [account, tag]))),
      Promise.all(shown.map((hash) => call<{ nonce: Hex } | null>(nodeUrl, "eth_getTransactionByHash", [hash]))),
    ]);
    settlement.notMined = {
      counts: { latest: Number(latest), pending: Number(pending) },
      hashes: shown.map((hash, i) => (txs[i] ? { hash, nonce: Number(txs[i]!.nonce), node: "held" as const } : { hash, node: "unknown" as const })),
    };
  }
  return settlement;
}
