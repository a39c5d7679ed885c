import type { FaultCase } from "../run_fault_case.ts";
import { waitForReadyz } from "../run_fault_case.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function nodeCall<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const reply = (await response.json()) as { result?: T; error?: { message: string } };
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result as T;
}

/** A counter of the proxy's /metrics (0 when absent). */
async function metric(proxyUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${proxyUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/**
 * Acknowledged, then lost, two ways, under load:
 * 1. a middlebox in front of the node acknowledges `swallow` broadcasts (answers their hashes) and drops them;
 * 2. the node stops mining for `poolMs` (acknowledged sends pile up in its pool), is stopped, and started again
 *    from its saved chain without its pool.
 * Every acknowledged hash must still be mined: the proxy notices what the node does not know, broadcasts the same
 * bytes again (rpc_proxy_rebroadcasts_total) and fills or resends below a node that fell behind its nonces.
 */
export function ackedThenLost(options: { swallow?: number; poolMs?: number; downMs?: number } = {}): FaultCase {
  const swallow = options.swallow ?? 20;
  return {
    name: "acknowledged, then lost",
    concurrency: 8,
    async fault(env, load) {
      await sleep(1500);
      const rebroadcastsBefore = await metric(env.proxyUrl, "rpc_proxy_rebroadcasts_total");
      // 1. Swallowed by a middlebox.
      const swallowedBefore = env.swallower.swallowed;
      env.swallower.swallow(swallow);
      const swallowAt = Date.now();
      while (env.swallower.swallowed - swallowedBefore < swallow && Date.now() - swallowAt < 15_000) await sleep(100);
      const swallowed = env.swallower.swallowed - swallowedBefore;
      env.swallower.swallow(0);
      await sleep(4000);
      const rebroadcastsAfterSwallow = await metric(env.proxyUrl, "rpc_proxy_rebroadcasts_total");

      // 2. Held in the node's pool, then the node restarted without it.
      await nodeCall(env.nodeUrl, "evm_setIntervalMining", [0]);
      await nodeCall(env.nodeUrl, "evm_setAutomine", [false]);
      await sleep(options.poolMs ?? 2000);
      const pool = await nodeCall<{ pending: string; queued: string }>(env.nodeUrl, "txpool_status");
      const inPool = Number(pool.pending) + Number(pool.queued);
      await env.stopNode();
      await sleep(options.downMs ?? 1000);
      await env.startNode();
      const backAt = Date.now();
      const afterRestart = await nodeCall<{ pending: string; queued: string }>(env.nodeUrl, "txpool_status");
      const readyAgain = await waitForReadyz(env.proxyUrl, 200, 60_000);
      const readyAgainMs = readyAgain === undefined ? undefined : Date.now() - backAt; // from the node listening again
      await sleep(5000);
      const rebroadcasts = (await metric(env.proxyUrl, "rpc_proxy_rebroadcasts_total")) - rebroadcastsBefore;
      return {
        readyAgainMs,
        extra: {
          swallowedBroadcasts: swallowed,
          rebroadcastsAfterSwallow: rebroadcastsAfterSwallow - rebroadcastsBefore,
          heldInPoolAtStop: inPool,
          poolAfterRestart: Number(afterRestart.pending) + Number(afterRestart.queued),
          rebroadcasts,
          sendsDuringCase: load.outcomes.length,
        },
        checks: [
          { what: "the middlebox swallowed acknowledged broadcasts", ok: swallowed > 0 },
          { what: "the node restarted without the transactions it held", ok: inPool > 0 && Number(afterRestart.pending) + Number(afterRestart.queued) === 0 },
          { what: "the proxy broadcast lost transactions again", ok: rebroadcasts > 0 },
          { what: "ready again after the node restart", ok: readyAgain !== undefined },
        ],
      };
    },
  };
}
