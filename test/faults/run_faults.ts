/**
 * The fault suite (issue 16): `npm run test:faults` (everything, about 16 min, including a 10-minute soak) or
 * `tsx test/faults/run_faults.ts --short` (the cases `npm test` runs). Prints a table, then one JSON line with every
 * report; `--json FILE` also writes the reports there. Exits 1 when any case fails a check.
 *
 *   --short               node down and back, acknowledged then lost, node slow, hostile clients (short forms),
 *                         signer killed
 *   --case TEXT           only cases whose name contains TEXT (repeatable)
 *   --soak-ms N           soak length (default 600000) and --kill-every-ms N (default 120000)
 *   --json FILE           write the reports as JSON
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ackedThenLost } from "./cases/acked_then_lost.ts";
import { awsDownAtBoot, awsDownDuringReload } from "./cases/aws_unavailable.ts";
import { hostileClients } from "./cases/hostile_clients.ts";
import { nodeDownAndBack } from "./cases/node_down_and_back.ts";
import { nodeSlow } from "./cases/node_slow.ts";
import { signerFault } from "./cases/signer_killed.ts";
import { soak } from "./cases/soak.ts";
import { formatFaultTable, runFaultCase, type FaultCase, type FaultReport } from "./run_fault_case.ts";
import { startFaultEnv } from "./start_fault_env.ts";

/**
 * The cases in two groups, each run on its own environment: against the signer as the local stack runs it, and
 * against a signer supervised by the host-agent daemon (`startSupervisedSigner`).
 *
 * @example
 * ```ts
 * const { stack, supervised } = faultCases({ short: true });
 * ```
 */
export function faultCases(options: { short?: boolean; soakMs?: number; killEveryMs?: number } = {}): { stack: FaultCase[]; supervised: FaultCase[] } {
  if (options.short) {
    return { stack: [nodeDownAndBack({ downMs: 3000, warmMs: 1500 }), ackedThenLost({ swallow: 10, poolMs: 1500 }), nodeSlow({ latencyMs: 2000, slowMs: 5000 }), hostileClients({ idle: 2000, drips: 50, durationMs: 11_000 })], supervised: [signerFault("SIGKILL")] };
  }
  return {
    stack: [nodeDownAndBack(), ackedThenLost(), nodeSlow({ latencyMs: 3000, slowMs: 20_000 }), hostileClients({ idle: 2000, drips: 100, durationMs: 20_000 })],
    supervised: [
      signerFault("SIGKILL"),
      signerFault("SIGSTOP"),
      awsDownAtBoot(),
      awsDownDuringReload(),
      soak({ durationMs: options.soakMs ?? 600_000, killEveryMs: options.killEveryMs ?? 120_000 }),
    ],
  };
}

/**
 * Runs the cases, each group on its own fresh environment (`startFaultEnv`), and resolves with their reports.
 *
 * @example
 * ```ts
 * const reports = await runFaults(faultCases({ short: true }), { onReport: (r) => console.log(r.name) });
 * ```
 */
export async function runFaults(cases: { stack: FaultCase[]; supervised: FaultCase[] }, options: { onReport?: (r: FaultReport) => void } = {}): Promise<FaultReport[]> {
  const reports: FaultReport[] = [];
  for (const [group, list] of [["stack", cases.stack], ["supervised", cases.supervised]] as const) {
    if (list.length === 0) continue;
    const env = await startFaultEnv(group === "supervised" ? { supervised: true, keySyncIntervalMs: 5000 } : {});
    try {
      for (const c of list) {
        const report = await runFaultCase(env, c);
        reports.push(report);
        options.onReport?.(report);
      }
    } finally {
      await env.stop();
    }
  }
  return reports;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const args = process.argv.slice(2);
  if (args.includes("--help")) {
    console.log("usage: tsx test/faults/run_faults.ts [--short] [--case TEXT]... [--soak-ms N] [--kill-every-ms N] [--json FILE]");
    process.exit(0);
  }
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const filters = args.flatMap((a, i) => (args[i - 1] === "--case" ? [a] : []));
  const soakMs = value("--soak-ms");
  const killEveryMs = value("--kill-every-ms");
  for (const [flag, given] of [["--soak-ms", soakMs], ["--kill-every-ms", killEveryMs]] as const) {
    if (given !== undefined && !(Number.isSafeInteger(Number(given)) && Number(given) >= 1000)) {
      console.error(`${flag}: expected a whole number of milliseconds, at least 1000 (got ${JSON.stringify(given)})`);
      process.exit(2);
    }
  }
  const all = faultCases({ short: args.includes("--short"), ...(soakMs ? { soakMs: Number(soakMs) } : {}), ...(killEveryMs ? { killEveryMs: Number(killEveryMs) } : {}) });
  const keep = (c: FaultCase) => filters.length === 0 || filters.some((f) => c.name.includes(f));
  const started = Date.now();
  const reports = await runFaults({ stack: all.stack.filter(keep), supervised: all.supervised.filter(keep) }, {
    onReport: (r) => console.error(`[faults] ${r.passed ? "pass" : "FAIL"} ${r.name} (${r.seconds} s)${r.passed ? "" : `: ${r.checks.filter((c) => !c.ok).map((c) => c.what).join("; ")}`}`),
  });
  const summary = { startedAt: new Date(started).toISOString(), minutes: Math.round((Date.now() - started) / 6000) / 10, reports };
  console.log(formatFaultTable(reports));
  console.log(JSON.stringify(summary));
  const json = value("--json");
  if (json) {
    await mkdir(dirname(json), { recursive: true });
    await writeFile(json, `${JSON.stringify(summary, null, 2)}\n`);
  }
  process.exit(reports.every((r) => r.passed) ? 0 : 1);
}
