#!/usr/bin/env node
// The test command each mutant runs (StrykerJS command runner): loads the given uvu test files into ONE Node
// process (through tsx, as `node test/run.mjs` does, so the instrumented TypeScript sources are what the tests
// import) and exits 1 at the first failing test instead of finishing the run. A mutant is killed by the first
// failure, so stopping there is what keeps a mutation run affordable on two shared cores; the normal suite
// (`npm test`) still runs each file in its own process and reports every failure.
// Usage: node --import tsx scripts/mutation/run_uvu.mjs test/a.test.ts [test/b.test.ts ...]
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node --import tsx scripts/mutation/run_uvu.mjs <test file> [...]");
  process.exit(2);
}

// uvu's own CLI protocol: with UVU_DEFER set, test.run() queues its suite in UVU_QUEUE[UVU_INDEX] and waits
// for exec(); each file gets its own group, named by the file.
globalThis.UVU_DEFER = 1;
globalThis.UVU_QUEUE = [];

// uvu prints "✘ " for a failed test (colours off); the first one ends the process with status 1.
const FAIL = "\u2718 ";
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (String(chunk).includes(FAIL)) {
    write(`\n[run_uvu] first failing test in ${currentFile}: stopping\n`);
    process.exit(1);
  }
  return write(chunk, ...rest);
};

let currentFile = "";
const { exec } = await import("uvu");
for (const [index, file] of files.entries()) {
  globalThis.UVU_QUEUE.push([file]);
  globalThis.UVU_INDEX = index;
  currentFile = file;
  await import(pathToFileURL(resolve(file)).href);
}
currentFile = "(running)";
await exec(true);
// exec sets process.exitCode; tests may leave handles (servers closed late, worker threads): end now.
process.exit(process.exitCode ?? 0);
