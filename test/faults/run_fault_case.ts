import type { FaultEnv } from "./start_fault_env.ts";
import { startSendLoad, type SendOutcome, type SendLoad } from "./run_send_load.ts";
import { blockNumber, settleTransactions, type Settlement } from "./settle_transactions.ts";

/** One case's figures (the table's row) and the checks it was held to. */
export type FaultReport = {
  name: string;
  requests: number;
  answered: number;
  success: number;
  rpcError: number;
  /** Answers without a JSON-RPC body (reset socket, bare HTTP error): must be 0. */
  badAnswer: number;
  /** No answer within 30 s: must be 0. */
  unanswered: number;
  mined: number;
  ackedNeverMined: number;
  duplicates: number;
  nonceGaps: number;
  /** Transactions Anvil's pool stranded and the suite moved (see `Settlement`): reported, not a failure. */
  nodeStranded: number;
  /** What the node says of acknowledged hashes that were not mined (see `Settlement`). */
  notMined?: Settlement["notMined"];
  /** From the fault's end (or, for a kill, the kill) to /readyz 200; undefined when readiness never dropped or never came back. */
  readyAgainMs?: number | undefined;
  /** The slowest JSON-RPC error answer, ms. */
  slowestErrorMs: number;
  /** JSON-RPC error codes and messages seen, with counts. */
  errors: Record<string, number>;
  /** Case-specific figures (RSS, sockets, latencies). */
  extra: Record<string, unknown>;
  checks: { what: string; ok: boolean }[];
  passed: boolean;
  seconds: number;
};

/** What a case's fault step hands back. */
export type FaultStepResult = { readyAgainMs?: number | undefined; extra?: Record<string, unknown>; checks?: { what: string; ok: boolean }[] };

export type FaultCase = {
  name: string;
  /** Requests in flight at once. */
  concurrency: number;
  /** Injects the fault while the load runs, waits for recovery, returns figures and checks of its own. */
  fault(env: FaultEnv, load: SendLoad): Promise<FaultStepResult>;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `GET /readyz` every 100 ms until it answers `want` (200 or 503); resolves with the ms waited, or undefined on timeout. */
export async function waitForReadyz(url: string, want: 200 | 503, timeoutMs: number): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(3000) });
      await response.arrayBuffer();
      if (response.status === want) return Date.now() - started;
    } catch { /* not answering counts as not ready */ }
    await sleep(100);
  }
  return undefined;
}

/**
 * Runs one case under load: concurrent sends start, the case's fault runs, the load stops, then what became of
 * every request is settled against the node (`settleTransactions`). The "must be 0" figures become checks.
 *
 * @example
 * ```ts
 * const report = await runFaultCase(env, nodeDownAndBack());
 * ```
 */
export async function runFaultCase(env: FaultEnv, c: FaultCase): Promise<FaultReport> {
  const started = Date.now();
  const fromBlock = await blockNumber(env.nodeUrl);
  const load = startSendLoad({ url: env.proxyUrl, from: env.account, concurrency: c.concurrency, ids: env.nextId, pauseMs: 50 });
  let step: FaultStepResult;
  try {
    step = await c.fault(env, load);
  } catch (error) {
    // A fault step that could not run fails its case; the others still run.
    step = { checks: [{ what: `the fault step ran (${String((error as Error)?.message ?? error).slice(0, 200)})`, ok: false }] };
  } finally {
    await load.stop();
  }
  const outcomes: SendOutcome[] = [...load.outcomes];
  const settlement = await settleTransactions({ nodeUrl: env.nodeUrl, proxyUrl: env.proxyUrl, account: env.account, outcomes, fromBlock, probeId: env.nextId() });
  const count = (kind: SendOutcome["kind"]) => outcomes.filter((o) => o.kind === kind).length;
  const errors: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.kind === "success") continue;
    const key = `${o.code ?? o.kind}: ${o.message ?? ""}`.slice(0, 100);
    errors[key] = (errors[key] ?? 0) + 1;
  }
  const report: FaultReport = {
    name: c.name,
    requests: outcomes.length,
    answered: outcomes.length - count("unanswered"),
    success: count("success"),
    rpcError: count("rpc-error"),
    badAnswer: count("bad-answer"),
    unanswered: count("unanswered"),
    ...settlement,
    readyAgainMs: step.readyAgainMs,
    slowestErrorMs: Math.max(0, ...outcomes.filter((o) => o.kind === "rpc-error").map((o) => o.ms)),
    errors,
    extra: step.extra ?? {},
    checks: [],
    passed: false,
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
  report.checks = [
    { what: "every request answered within 30 s", ok: report.unanswered === 0 },
    { what: "every answer is JSON-RPC", ok: report.badAnswer === 0 },
    { what: "every acknowledged transaction mined", ok: report.ackedNeverMined === 0 },
    { what: "no duplicates", ok: report.duplicates === 0 },
    { what: "no nonce gaps", ok: report.nonceGaps === 0 },
    { what: "some sends succeeded", ok: report.success > 0 },
    ...(step.checks ?? []),
  ];
  report.passed = report.checks.every((x) => x.ok);
  return report;
}

/** The reports as a fixed-width table, one row per case. */
export function formatFaultTable(reports: readonly FaultReport[]): string {
  const head = ["case", "requests", "answered", "ok", "rpc err", "bad", "unansw.", "mined", "acked lost", "dup", "gaps", "stranded", "ready again", "result"];
  const rows = reports.map((r) => [
    r.name, r.requests, r.answered, r.success, r.rpcError, r.badAnswer, r.unanswered, r.mined, r.ackedNeverMined, r.duplicates, r.nonceGaps, r.nodeStranded,
    r.readyAgainMs === undefined ? "-" : `${(r.readyAgainMs / 1000).toFixed(1)} s`, r.passed ? "pass" : "FAIL",
  ].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), ...rows.map(line)].join("\n");
}
