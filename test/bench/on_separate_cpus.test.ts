import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { onSeparateCpus } from "../../bench/on_separate_cpus_node.ts";

// The bench measures passthrough latency with the load generator and the servers on separate vCPUs: check the
// placement while it runs (from /proc), and that every process may run anywhere again afterwards, also on failure.

const allowed = (pid: number) => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1];
const count = cpus().length;

test("the load generator runs on vCPU 0 and the servers on the others, then everyone anywhere again", async () => {
  if (count < 2) return; // one vCPU: nothing to separate (onSeparateCpus then says pinned: false)
  const server = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"], { stdio: "ignore" });
  try {
    const all = allowed(process.pid);
    const { result, pinned } = await onSeparateCpus([server.pid!], async () => [allowed(process.pid), allowed(server.pid!)]);
    assert.ok(pinned);
    assert.equal(result, ["0", count === 2 ? "1" : `1-${count - 1}`]);
    assert.is(allowed(process.pid), all);
    assert.is(allowed(server.pid!), `0-${count - 1}`);

    await onSeparateCpus([server.pid!], async () => {
      throw new Error("a measurement failed");
    }).then(() => assert.unreachable("the failure is passed on"), (error: Error) => assert.is(error.message, "a measurement failed"));
    assert.is(allowed(process.pid), all);
    assert.is(allowed(server.pid!), `0-${count - 1}`);
  } finally {
    server.kill();
  }
});

test("without taskset the measurement runs as it is, and says it was not pinned", async () => {
  const path = process.env.PATH;
  process.env.PATH = "/nonexistent";
  try {
    const { result, pinned } = await onSeparateCpus([process.pid], async () => allowed(process.pid));
    assert.is(pinned, false);
    assert.is(result, count === 1 ? "0" : `0-${count - 1}`);
  } finally {
    process.env.PATH = path;
  }
});

test.run();
