import type { FaultCase } from "../run_fault_case.ts";
import { openFds, rssMiB } from "../process_stats.ts";
import { readThroughProxy } from "../read_through_proxy.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Node slow: a middlebox between the proxy and Anvil holds every byte for `latencyMs` (both ways) for `slowMs`
 * under load. Requests take longer but stay inside the proxy's bounds; the proxy's sockets and memory return to
 * where they were once the node is fast again.
 */
export function nodeSlow(options: { latencyMs?: number; slowMs?: number } = {}): FaultCase {
  const latencyMs = options.latencyMs ?? 3000;
  return {
    name: `node slow (+${latencyMs / 1000} s)`,
    concurrency: 16,
    async fault(env) {
      await sleep(2000);
      const before = { rssMiB: await rssMiB(env.proxyPid), fds: await openFds(env.proxyPid) };
      env.middlebox.setMode({ kind: "delay", ms: latencyMs });
      const slowAt = Date.now();
      const reads: number[] = [];
      let peakFds = 0;
      let peakUpstream = 0;
      while (Date.now() - slowAt < (options.slowMs ?? 10_000)) {
        const r = await readThroughProxy(env.proxyUrl);
        reads.push(r.ms);
        peakFds = Math.max(peakFds, (await openFds(env.proxyPid)) ?? 0);
        peakUpstream = Math.max(peakUpstream, env.middlebox.openConnections);
      }
      env.middlebox.setMode({ kind: "pass" });
      await sleep(Math.max(3000, latencyMs + 1000));
      const after = { rssMiB: await rssMiB(env.proxyPid), fds: await openFds(env.proxyPid) };
      return {
        extra: {
          slowestReadMs: Math.max(...reads),
          proxyRssMiB: `${before.rssMiB} → ${after.rssMiB}`,
          proxyFds: `${before.fds} → peak ${peakFds} → ${after.fds}`,
          peakConnectionsToNode: peakUpstream,
        },
        checks: [
          // The upstream pool holds at most 64 connections: no pile-up past that.
          { what: "connections to the node stay within the pool (≤ 64)", ok: peakUpstream <= 64 },
        ],
      };
    },
  };
}
