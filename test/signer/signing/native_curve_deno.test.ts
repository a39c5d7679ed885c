import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { binaryPath } from "../../../local/binaries_node.ts";
import { testWithTool } from "../../helpers/missing_tool.ts";

// The native secp256k1 curve (issue 19) only exists under Deno (Node has no FFI here): its cases run inside a real
// Deno process (native_curve_cases_deno.ts) and report each one. Without Debian's libsecp256k1-1 they are skipped,
// except in CI (.ci/run installs it), where that fails the run.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = "test/signer/signing/native_curve_cases_deno.ts";

const run = spawnSync(binaryPath("deno"), ["run", "--quiet", "--allow-ffi", "--allow-read", "--allow-env", SCRIPT, "3000"], {
  cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 240_000,
});
const lines = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
const header = (lines[0] ?? { available: false, reason: `no answer: ${run.stderr.slice(-500)}` }) as { available: boolean; reason?: string };
const results = lines.slice(1) as { name: string; ok: boolean; error?: string }[];
const withLibrary = testWithTool(header.available, "libsecp256k1.so.1", `apt-get install libsecp256k1-1${header.reason ? `; ${header.reason}` : ""}`);

withLibrary("the Deno run reported every case of the native curve", () => {
  assert.ok(results.length >= 9, `only ${results.length} results\n${run.stderr}`);
  assert.is(run.status, results.every((r) => r.ok) ? 0 : 1);
});

for (const r of results) withLibrary(r.name, () => assert.ok(r.ok, r.error));

test("the native curve's cases type-check under Deno", () => {
  const check = spawnSync(binaryPath("deno"), ["check", "--quiet", SCRIPT], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  assert.is(check.status, 0, check.stderr);
});

test.run();
