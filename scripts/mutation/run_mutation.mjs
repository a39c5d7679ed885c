#!/usr/bin/env node
// `npm run test:mutation [-- name ...]`: mutation testing of the security-critical code (issue 20) with StrykerJS.
// Runs one Stryker process per target of scripts/mutation/targets.mjs (all, or those whose name contains one of
// the arguments), one after another, each with scripts/mutation/stryker.config.mjs, then prints the score per
// file and every surviving mutant, and writes the same to reports/mutation/summary.md (gitignored).
// Slow on purpose (every mutant reruns its target's tests); not part of `npm test`.
// Environment: MUTATION_CONCURRENCY (default 2) — Stryker's test processes at once.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { TARGETS } from "./targets.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const filters = process.argv.slice(2);
const selected = TARGETS.filter((t) => filters.length === 0 || filters.some((f) => t.name.includes(f)));
if (selected.length === 0) {
  console.error(`no mutation target matches ${filters.join(" ")}; targets: ${TARGETS.map((t) => t.name).join(", ")}`);
  process.exit(2);
}

const runs = [];
for (const target of selected) {
  const started = Date.now();
  console.log(`\n[mutation] ${target.name}: ${target.mutate.join(", ")} against ${target.tests.join(" ")}`);
  const r = spawnSync(process.execPath, ["scripts/mutation/run_stryker.mjs"], {
    cwd: root,
    env: { ...process.env, MUTATION_TARGET: target.name, FORCE_COLOR: "0" },
    stdio: "inherit",
  });
  runs.push({ target, status: r.status, seconds: Math.round((Date.now() - started) / 1000) });
}

/** The code a mutant replaces (Stryker locations: 1-based lines, 1-based columns, end exclusive), on one line. */
function span(lines, { start, end }) {
  const text = start.line === end.line
    ? lines[start.line - 1]?.slice(start.column - 1, end.column - 1)
    : [lines[start.line - 1]?.slice(start.column - 1), ...lines.slice(start.line, end.line - 1), lines[end.line - 1]?.slice(0, end.column - 1)].join(" ");
  const flat = (text ?? "").replace(/\s+/g, " ").trim();
  return flat.length > 100 ? `${flat.slice(0, 97)}...` : flat;
}

/** Per file of a Stryker JSON report (mutation-testing-report-schema): counts and the survivors. */
function summarize(target) {
  const path = `${root}/reports/mutation/${target.name}.json`;
  if (!existsSync(path)) return [];
  const report = JSON.parse(readFileSync(path, "utf8"));
  return Object.entries(report.files).map(([file, { mutants, source }]) => {
    const count = (status) => mutants.filter((m) => m.status === status).length;
    const killed = count("Killed"), timeout = count("Timeout"), survived = count("Survived"), noCoverage = count("NoCoverage");
    const valid = killed + timeout + survived + noCoverage;
    const lines = source.split("\n");
    const survivors = mutants
      .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
      .map((m) => `${file}:${m.location.start.line}:${m.location.start.column} ${m.status === "NoCoverage" ? "(no coverage) " : ""}${m.mutatorName} — \`${span(lines, m.location)}\` → \`${m.replacement ?? ""}\` in \`${lines[m.location.start.line - 1]?.trim()}\``);
    return { file, killed, timeout, survived, noCoverage, errors: count("CompileError") + count("RuntimeError"), score: valid ? (100 * (killed + timeout)) / valid : 100, survivors };
  });
}

// Run times are kept across invocations (reports/mutation/durations.json), so the summary covers every target
// that has a report, also those run by an earlier `npm run test:mutation -- <name>`.
mkdirSync(`${root}/reports/mutation`, { recursive: true });
const durationsFile = `${root}/reports/mutation/durations.json`;
const durations = existsSync(durationsFile) ? JSON.parse(readFileSync(durationsFile, "utf8")) : {};
for (const run of runs) durations[run.target.name] = { seconds: run.seconds, at: new Date().toISOString(), status: run.status };
writeFileSync(durationsFile, JSON.stringify(durations, null, 2));

const out = [`# Mutation run ${new Date().toISOString()}`, "", "| target | file | killed | timeout | survived | no coverage | errors | score | run (s) |", "|---|---|---:|---:|---:|---:|---:|---:|---:|"];
const survivors = [];
for (const target of TARGETS) {
  const d = durations[target.name];
  for (const f of summarize(target)) {
    out.push(`| ${target.name} | ${f.file} | ${f.killed} | ${f.timeout} | ${f.survived} | ${f.noCoverage} | ${f.errors} | ${f.score.toFixed(1)}% | ${d?.seconds ?? "?"} |`);
    survivors.push(...f.survivors);
  }
  if (d && d.status !== 0) out.push(`| ${target.name} | (stryker exited ${d.status}) | | | | | | | ${d.seconds} |`);
}
out.push("", `## Surviving mutants (${survivors.length})`, "", ...survivors.map((s) => `- ${s}`), "");
writeFileSync(`${root}/reports/mutation/summary.md`, out.join("\n"));
console.log("\n" + out.join("\n"));
process.exit(runs.some((r) => r.status !== 0) ? 1 : 0);
