import type { FaultCase } from "../run_fault_case.ts";
import { waitForReadyz } from "../run_fault_case.ts";
import { rssMiB } from "../process_stats.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const minutes = (ms: number) => String(Math.round(ms / 6000) / 10);

type Tally = { requests: number; ok: number; rpcError: number; other: number; unanswered: number };

async function post(url: string, body: unknown): Promise<"ok" | "rpc-error" | "other" | "unanswered"> {
  try {
    const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    const json = JSON.parse(await response.text());
    const replies = Array.isArray(json) ? json : [json];
    if (replies.length === 0) return "other";
    return replies.every((r) => "result" in r) ? "ok" : replies.every((r) => typeof r.error?.code === "number" || "result" in r) ? "rpc-error" : "other";
  } catch (error) {
    return (error as Error).name === "TimeoutError" ? "unanswered" : "other";
  }
}

/**
 * Soak: `durationMs` of mixed load against one instance — the case's sends, plus personal_sign, reads and
 * batches of reads — with the signer killed (`kill -9`) every `killEveryMs` and restarted by its supervisor.
 * RSS of each process before and after; zero lost and zero duplicated, like every case.
 */
export function soak(options: { durationMs?: number; killEveryMs?: number } = {}): FaultCase {
  const durationMs = options.durationMs ?? 600_000;
  const killEveryMs = options.killEveryMs ?? 120_000;
  return {
    name: `soak ${minutes(durationMs)} min, signer killed every ${minutes(killEveryMs)} min`,
    concurrency: 6,
    async fault(env) {
      const rss = async () => ({
        proxy: await rssMiB(env.proxyPid),
        signer: await rssMiB(await env.signerPid()),
        anvil: await rssMiB(env.anvilPid()),
        daemon: await rssMiB(env.supervised?.daemonPid),
        harnessAndStandIns: await rssMiB(process.pid),
      });
      await sleep(5000);
      const before = await rss();
      const tallies: Record<"signs" | "reads" | "batches", Tally> = {
        signs: { requests: 0, ok: 0, rpcError: 0, other: 0, unanswered: 0 },
        reads: { requests: 0, ok: 0, rpcError: 0, other: 0, unanswered: 0 },
        batches: { requests: 0, ok: 0, rpcError: 0, other: 0, unanswered: 0 },
      };
      const count = (t: Tally, r: Awaited<ReturnType<typeof post>>) => {
        t.requests++;
        if (r === "ok") t.ok++;
        else if (r === "rpc-error") t.rpcError++;
        else if (r === "unanswered") t.unanswered++;
        else t.other++;
      };
      let running = true;
      let n = 0;
      const workers = [
        (async () => {
          while (running) {
            count(tallies.signs, await post(env.proxyUrl, { jsonrpc: "2.0", id: ++n, method: "personal_sign", params: [`0x${Buffer.from(`soak ${n}`).toString("hex")}`, env.account] }));
            await sleep(20);
          }
        })(),
        (async () => {
          while (running) {
            const method = n % 2 ? "eth_getBalance" : "eth_blockNumber";
            count(tallies.reads, await post(env.proxyUrl, { jsonrpc: "2.0", id: ++n, method, params: method === "eth_getBalance" ? [env.account, "latest"] : [] }));
            await sleep(20);
          }
        })(),
        (async () => {
          while (running) {
            const batch = Array.from({ length: 10 }, (_, i) => ({ jsonrpc: "2.0", id: i, method: i % 2 ? "eth_chainId" : "eth_getTransactionCount", params: i % 2 ? [] : [env.account, "latest"] }));
            count(tallies.batches, await post(env.proxyUrl, batch));
            await sleep(100);
          }
        })(),
      ];
      const started = Date.now();
      const restarts: number[] = [];
      let kills = 0;
      while (Date.now() - started < durationMs) {
        const nextKill = started + (kills + 1) * killEveryMs;
        if (nextKill > started + durationMs - 20_000) {
          await sleep(Math.max(0, started + durationMs - Date.now()));
          break;
        }
        await sleep(Math.max(0, nextKill - Date.now()));
        const pid = await env.signerPid();
        if (pid) process.kill(pid, "SIGKILL");
        kills++;
        const killedAt = Date.now();
        await waitForReadyz(env.proxyUrl, 503, 10_000);
        const back = await waitForReadyz(env.proxyUrl, 200, 90_000);
        restarts.push(back === undefined ? -1 : Date.now() - killedAt);
      }
      running = false;
      await Promise.all(workers);
      await sleep(5000);
      const after = await rss();
      const show = (k: keyof typeof before) => `${before[k] ?? "-"} → ${after[k] ?? "-"}`;
      return {
        readyAgainMs: Math.max(...restarts),
        extra: {
          kills,
          readyAgainEachMs: restarts.join(","),
          rssMiB: { proxy: show("proxy"), signer: show("signer"), anvil: show("anvil"), daemon: show("daemon"), harnessAndStandIns: show("harnessAndStandIns") },
          signs: tallies.signs,
          reads: tallies.reads,
          batches: tallies.batches,
        },
        checks: [
          { what: "the signer came back after every kill", ok: restarts.length > 0 && restarts.every((r) => r >= 0) },
          { what: "signs, reads and batches: every request answered with JSON-RPC", ok: Object.values(tallies).every((t) => t.unanswered === 0 && t.other === 0) },
        ],
      };
    },
  };
}
