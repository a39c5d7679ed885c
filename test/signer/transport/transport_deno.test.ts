import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { binaryPath } from "../../../local/binaries_node.ts";

// Deno's transport (the one the signer, rpc-proxy and host-agent use in production) through the same contract
// as Node's: the contract runs inside a real Deno process and reports each case. vsock goes through the same
// cases where the kernel has vsock loopback (VSOCK_CONTRACT_PORT); here it is only type-checked (`deno check`).
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = "test/signer/transport/transport_contract_deno.ts";

const run = spawnSync(binaryPath("deno"), [
  "run", "--quiet", "--unstable-vsock", "--allow-net", "--allow-read", "--allow-write", "--allow-env", SCRIPT,
], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
const results = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { name: string; ok: boolean; error?: string });

test("the Deno contract run reported every case", () => {
  assert.ok(results.length >= 14, `only ${results.length} results\n${run.stderr}`);
  assert.ok(results.some((r) => r.name.startsWith("deno tcp")));
  assert.ok(results.some((r) => r.name.startsWith("deno unix")));
});

for (const r of results) {
  test(r.name, () => assert.ok(r.ok, r.error));
}

test("the vsock path of the contract type-checks under Deno", () => {
  const check = spawnSync(binaryPath("deno"), ["check", "--quiet", SCRIPT], { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000 });
  assert.is(check.status, 0, check.stderr);
});

test.run();
