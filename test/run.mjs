#!/usr/bin/env node
// Runs every uvu test file (test/**/*.test.ts) in its own Node process (through tsx), so one file that hangs
// or crashes cannot take the others down, then prints one summary line: "N passed, N failed, N skipped".
// Usage: node test/run.mjs [filter ...]   (a filter is a substring of the file path)
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const filters = process.argv.slice(2);
const timeoutMs = Number(process.env.TEST_FILE_TIMEOUT_MS ?? 300_000);

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "fixtures" ? [] : find(path);
    return name.endsWith(".test.ts") ? [path] : [];
  });
}

const files = find(join(root, "test"))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

function runFile(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => {
      out += `\n[run] ${file} timed out after ${timeoutMs} ms\n`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      const m = out.match(/Total:\s+(\d+)\s+Passed:\s+(\d+)\s+Skipped:\s+(\d+)/);
      const total = m ? Number(m[1]) : 0;
      const passed = m ? Number(m[2]) : 0;
      const skipped = m ? Number(m[3]) : 0;
      // uvu's Total counts the tests that ran; skipped ones are counted apart.
      let failed = Math.max(0, total - passed);
      if (code !== 0 && failed === 0) failed = 1; // crashed, timed out or never reached test.run()
      // A file that ran no test at all (none registered, or its suite never ran) checks nothing: it fails.
      if (total === 0 && skipped === 0 && failed === 0) {
        failed = 1;
        out += `\n[run] ${file} ran no tests\n`;
      }
      resolve({ file, code, out, passed, failed, skipped });
    });
  });
}

let passed = 0, failed = 0, skipped = 0;
const failures = [];
for (const file of files) {
  const started = Date.now();
  const r = await runFile(file);
  passed += r.passed; failed += r.failed; skipped += r.skipped;
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`${r.failed ? "FAIL" : "ok  "} ${file} (${r.passed} passed${r.skipped ? `, ${r.skipped} skipped` : ""}${r.failed ? `, ${r.failed} failed` : ""}, ${secs}s)`);
  if (r.failed || process.env.TEST_VERBOSE) {
    failures.push(file);
    process.stdout.write(r.out.replace(/^/gm, "    ") + "\n");
  }
}
if (files.length === 0) console.log("no test files matched");
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed || files.length === 0 ? 1 : 0);
