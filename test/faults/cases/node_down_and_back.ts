import type { FaultCase } from "../run_fault_case.ts";
import { waitForReadyz } from "../run_fault_case.ts";
import { readThroughProxy } from "../read_through_proxy.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Node down and back: Anvil (the proxy's upstream) is stopped under load and started again on the same port
 * from its saved state after `downMs`. Reads and sends during the outage must fail with -32603 naming the node;
 * /readyz goes 503 and back to 200 without restarting the proxy.
 */
export function nodeDownAndBack(options: { downMs?: number; warmMs?: number } = {}): FaultCase {
  return {
    name: "node down and back",
    concurrency: 8,
    async fault(env, load) {
      await sleep(options.warmMs ?? 2000);
      const sendsBefore = load.outcomes.length;
      await env.stopNode();
      const downAt = Date.now();
      const notReadyMs = await waitForReadyz(env.proxyUrl, 503, 10_000);
      const reads: Awaited<ReturnType<typeof readThroughProxy>>[] = [];
      while (Date.now() - downAt < (options.downMs ?? 5000)) {
        reads.push(await readThroughProxy(env.proxyUrl));
        await sleep(250);
      }
      const sendsDuring = load.outcomes.slice(sendsBefore).filter((o) => o.startedAt >= downAt + 500 && o.startedAt < Date.now());
      await env.startNode();
      const readyAgainMs = await waitForReadyz(env.proxyUrl, 200, 60_000);
      await sleep(options.warmMs ?? 2000);
      const readFailures = reads.filter((r) => !r.ok);
      const sendFailures = sendsDuring.filter((o) => o.kind !== "success");
      return {
        readyAgainMs,
        extra: {
          readsDuringOutage: reads.length,
          slowestReadDuringOutageMs: Math.max(0, ...reads.map((r) => r.ms)),
          readError: readFailures[0] ? `${readFailures[0].code} ${readFailures[0].message}` : undefined,
          sendsDuringOutage: sendsDuring.length,
          slowestSendDuringOutageMs: Math.max(0, ...sendsDuring.map((o) => o.ms)),
          notReadyAfterMs: notReadyMs,
        },
        checks: [
          { what: "/readyz went 503 while the node was down", ok: notReadyMs !== undefined },
          { what: "/readyz back to 200 without a proxy restart", ok: readyAgainMs !== undefined },
          { what: "reads during the outage: -32603 naming the node", ok: readFailures.length > 0 && readFailures.every((r) => r.code === -32603 && /node/i.test(r.message ?? "")) },
          { what: "sends during the outage: -32603", ok: sendFailures.every((o) => o.kind === "rpc-error" && o.code === -32603) },
        ],
      };
    },
  };
}
