// StrykerJS configuration for one mutation target (scripts/mutation/targets.mjs), chosen by MUTATION_TARGET.
// `npm run test:mutation` runs every target through scripts/mutation/run_mutation.mjs; one target by hand:
//   MUTATION_TARGET=accounts_digest npx stryker run scripts/mutation/stryker.config.mjs
// Each mutant runs the target's tests with the command runner: scripts/mutation/run_uvu.mjs loads them through
// tsx into one Node process, so the tests import Stryker's instrumented TypeScript in the sandbox, and stops at
// the first failing test. Incremental: scripts/mutation/incremental/<target>.json (committed) keeps each
// mutant's last result, and a rerun tests only the mutants whose code or tests changed since.
import { fileURLToPath } from "node:url";
import { TARGETS } from "./targets.mjs";

const name = process.env.MUTATION_TARGET;
const target = TARGETS.find((t) => t.name === name);
if (!target) throw new Error(`MUTATION_TARGET must be one of: ${TARGETS.map((t) => t.name).join(", ")} (got ${JSON.stringify(name)})`);

// The in-process uvu runner (uvu_test_runner.mjs) by default; MUTATION_RUNNER=command runs every mutant as
// its own `node --import tsx scripts/mutation/run_uvu.mjs <tests>` process instead (~5 s a mutant here: a check
// that the two agree, not for whole runs).
// A target may ask for it too (`runner: "command"`): code whose result a module caches (the pinned default root)
// runs once per process, so only a fresh process per mutant reaches it.
const command = process.env.MUTATION_RUNNER === "command" || target.runner === "command";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...(command
    ? {
      testRunner: "command",
      commandRunner: { command: `node --import tsx scripts/mutation/run_uvu.mjs ${target.tests.join(" ")}` },
      coverageAnalysis: "off", // the command runner cannot tell which test covers which mutant
    }
    : {
      testRunner: "uvu-in-process",
      plugins: [fileURLToPath(new URL("./uvu_test_runner.mjs", import.meta.url))],
      testRunnerNodeArgs: ["--import", "tsx"],
      uvu: { tests: target.tests },
      // A test here is one file: only the files that reach a mutant run for it. Code that runs in worker
      // threads reports no coverage to the main thread, so those targets say `coverageAnalysis: "off"`.
      coverageAnalysis: target.coverageAnalysis ?? "perTest",
    }),
  mutate: target.mutate,
  checkers: [],
  warnings: { unknownOptions: false },
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  timeoutFactor: 2,
  incremental: true,
  incrementalFile: `scripts/mutation/incremental/${target.name}.json`,
  reporters: ["json", "clear-text", "progress-append-only"],
  jsonReporter: { fileName: `reports/mutation/${target.name}.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  allowConsoleColors: false,
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
  ignorePatterns: ["/docs", "/bench", "/deploy", "/cdk.out", "/.local", "/.tmp", "/reports", "/scripts/mutation/incremental"],
  fileLogLevel: "off",
};
