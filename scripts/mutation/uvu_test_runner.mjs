// A StrykerJS test runner for this project's uvu tests, in process: each Stryker worker loads the target's test
// files once (TypeScript through tsx: Stryker starts it with `--import tsx`), then reruns their suites for every
// mutant, switching the mutant through Stryker's global (`__stryker__.activeMutant`) instead of starting a Node
// process per mutant (which cost ~5 s each here, mostly loading viem and the sources). Each test FILE is one
// Stryker "test" (its suites), so per-test coverage tells Stryker which files reach a mutant, and a run stops at
// the first failing test (uvu's runner ends the suite; the other files are not run). Mutants reached only while
// the modules load (static mutants) are run by Stryker in a fresh process, where this runner activates the mutant
// before importing. Options (stryker.config.mjs): `uvu: { tests: string[] }`, paths relative to the project root.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { INSTRUMENTER_CONSTANTS as ID } from "@stryker-mutator/api/core";
import { commonTokens, declareClassPlugin, PluginKind } from "@stryker-mutator/api/plugin";
import { DryRunStatus, MutantRunStatus, TestStatus } from "@stryker-mutator/api/test-runner";

// uvu prints "✘ " for a failed test; throwing from that write ends uvu's suite runner loop (its `finally`
// still runs the suite's after hooks and returns the failures), which is how a run stops at the first failure.
const FAIL = "\u2718 ";
class Bail extends Error {}

class UvuInProcessTestRunner {
  static inject = [commonTokens.options];

  constructor(options) {
    this.tests = options.uvu?.tests ?? [];
    if (this.tests.length === 0) throw new Error("uvu test runner: options.uvu.tests is empty");
    this.groups = undefined;
    this.bail = true;
  }

  capabilities() {
    return { reloadEnvironment: false };
  }

  get ns() {
    return (globalThis[ID.NAMESPACE] ??= {});
  }

  /** Imports the test files once; uvu queues each file's suites in its own group (uvu's CLI protocol). */
  async load() {
    if (this.groups) return;
    globalThis.UVU_DEFER = 1;
    globalThis.UVU_QUEUE = [];
    await import("uvu");
    const groups = [];
    for (const [index, file] of this.tests.entries()) {
      globalThis.UVU_QUEUE.push([file]);
      globalThis.UVU_INDEX = index;
      await import(pathToFileURL(resolve(file)).href);
      const [, ...suites] = globalThis.UVU_QUEUE[index];
      groups.push({ file, suites });
    }
    this.groups = groups;
  }

  /** Runs the files' suites (only `filter`'s files when given); stops at the first failure unless told not to. */
  async runSuites(filter) {
    const results = [];
    const write = process.stdout.write;
    process.stdout.write = (chunk, ...rest) => {
      if (String(chunk).includes(FAIL) && this.bail) throw new Bail();
      return typeof rest.at(-1) === "function" ? (rest.at(-1)(), true) : true; // quiet: Stryker does not read it
    };
    try {
      for (const { file, suites } of this.groups) {
        if (filter && !filter.includes(file)) continue;
        this.ns[ID.CURRENT_TEST_ID] = file;
        const started = Date.now();
        let failure = "";
        for (const suite of suites) {
          let errs;
          try {
            [errs] = await suite();
          } catch (error) {
            errs = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
          }
          if (typeof errs === "string") {
            failure += errs;
            if (this.bail) break;
          }
        }
        // fileName lets incremental mode see a changed test file and rerun the mutants it covers.
        const base = { id: file, name: file, fileName: resolve(file), timeSpentMs: Date.now() - started };
        results.push(failure ? { ...base, status: TestStatus.Failed, failureMessage: failure.slice(0, 2000) } : { ...base, status: TestStatus.Success });
        if (failure && this.bail) break;
      }
    } finally {
      process.stdout.write = write;
      this.ns[ID.CURRENT_TEST_ID] = undefined;
    }
    return results;
  }

  async dryRun(options) {
    try {
      this.bail = false;
      delete process.env[ID.ACTIVE_MUTANT_ENV_VARIABLE];
      this.ns[ID.ACTIVE_MUTANT] = undefined;
      await this.load();
      const tests = await this.runSuites(undefined);
      return {
        status: DryRunStatus.Complete,
        tests,
        ...(options.coverageAnalysis === "off" ? {} : { mutantCoverage: this.ns[ID.MUTATION_COVERAGE_OBJECT] }),
      };
    } catch (error) {
      return { status: DryRunStatus.Error, errorMessage: error instanceof Error ? error.stack ?? error.message : String(error) };
    }
  }

  async mutantRun(options) {
    const id = options.activeMutant.id;
    this.bail = !options.disableBail;
    // Worker threads the tests start (the signing pool's) read the mutant from the environment.
    process.env[ID.ACTIVE_MUTANT_ENV_VARIABLE] = id;
    this.ns[ID.ACTIVE_MUTANT] = id;
    this.ns[ID.HIT_LIMIT] = options.hitLimit;
    this.ns[ID.HIT_COUNT] = options.hitLimit === undefined ? undefined : 0;
    const started = Date.now();
    try {
      await this.load(); // a fresh process for a static mutant: imports with the mutant active
      const results = await this.runSuites(options.testFilter);
      if (this.ns[ID.HIT_COUNT] !== undefined && this.ns[ID.HIT_COUNT] > this.ns[ID.HIT_LIMIT]) {
        return { status: MutantRunStatus.Timeout, reason: `hit limit ${this.ns[ID.HIT_LIMIT]} reached`, duration: Date.now() - started };
      }
      const failed = results.filter((r) => r.status === TestStatus.Failed);
      return failed.length
        ? { status: MutantRunStatus.Killed, killedBy: failed.map((r) => r.id), failureMessage: failed[0].failureMessage, nrOfTests: results.length, duration: Date.now() - started }
        : { status: MutantRunStatus.Survived, nrOfTests: results.length, duration: Date.now() - started };
    } catch (error) {
      // A mutant that breaks loading the test files (thrown at import) is killed by every file.
      return { status: MutantRunStatus.Killed, killedBy: this.tests, failureMessage: error instanceof Error ? error.message : String(error), nrOfTests: 0, duration: Date.now() - started };
    } finally {
      this.ns[ID.ACTIVE_MUTANT] = undefined;
      this.ns[ID.HIT_COUNT] = undefined;
      this.ns[ID.HIT_LIMIT] = undefined;
      delete process.env[ID.ACTIVE_MUTANT_ENV_VARIABLE];
    }
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.TestRunner, "uvu-in-process", UvuInProcessTestRunner)];
