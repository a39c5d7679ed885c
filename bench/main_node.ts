/**
 * `npm run bench [-- --json] [-- --quick]`: the performance harness of issue 7 (see `runBench`). Prints a
 * Markdown table (or, with --json, one JSON object and nothing else) on stdout; progress goes to stderr.
 * npm itself prints a banner on stdout before the script's output unless run with `-s` (`npm run -s bench`).
 */
import { benchTargets } from "./bench_targets.ts";
import { formatBenchTable } from "./format_bench_table.ts";
import { runBench } from "./run_bench_node.ts";

const USAGE = `bench: measures raw signing, the signer (1 worker and default), the rpc-proxy and Anvil in one run

  --json    print one JSON object on stdout (every metric, the counts, the machine, the targets)
  --quick   smoke run, every measurement much shorter (checks the harness; numbers not meaningful)
  --help    this text
`;

const args = process.argv.slice(2);
if (args.includes("--help")) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const unknown = args.find((a) => a !== "--json" && a !== "--quick");
if (unknown) {
  process.stderr.write(`bench: unknown option ${unknown} (expected --json, --quick, --help)\n`);
  process.exit(2);
}
const json = args.includes("--json");
const tty = process.stderr.isTTY === true;
const started = Date.now();
// A hard bound on the whole run: every step has its own, this catches what they miss.
const watchdog = setTimeout(() => {
  process.stderr.write("\nbench: did not finish within 5 minutes\n");
  process.exit(1);
}, 300_000);
try {
  const result = await runBench({
    quick: args.includes("--quick"),
    progress: (step, index, total) => {
      const line = `bench [${index}/${total}] ${step}… (${Math.round((Date.now() - started) / 1000)} s)`;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
  });
  if (tty) process.stderr.write("\r\x1b[2K");
  if (json) process.stdout.write(`${JSON.stringify({ ...result, targets: benchTargets(result) })}\n`);
  else process.stdout.write(formatBenchTable(result));
  clearTimeout(watchdog);
  process.exit(0);
} catch (error) {
  process.stderr.write(`\nbench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
