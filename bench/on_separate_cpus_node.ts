import { execFileSync } from "node:child_process";
import { cpus } from "node:os";

/**
 * Runs `run` with this process (the load generator) on vCPU 0 and every thread of the `servers` on the other
 * vCPUs, then lets every one of them run anywhere again (`taskset`, Linux). For latencies measured one request at
 * a time, in which the harness compares two servers: left to the scheduler, which vCPU each server and the node
 * wake on differs from process to process, and on a 2-vCPU machine that alone moved the latency of two identical
 * bare proxies apart by up to 35 µs per request (issue 14), more than the 50 µs a target allows. Pinned, every
 * server gets the same placement. `pinned` is false, and `run` runs as it is, where there is one vCPU or no
 * `taskset`.
 *
 * @example
 * ```ts
 * const { result, pinned } = await onSeparateCpus([proxyPid, barePid, anvilPid], () => pairedLatency(pairs, options));
 * ```
 */
export async function onSeparateCpus<T>(servers: readonly number[], run: () => Promise<T>): Promise<{ result: T; pinned: boolean }> {
  const count = cpus().length;
  const everyone = [process.pid, ...servers];
  let pinned = false;
  if (count >= 2) {
    try {
      pin(process.pid, "0");
      for (const pid of servers) pin(pid, `1-${count - 1}`);
      pinned = true;
    } catch {
      unpin(everyone, count);
    }
  }
  try {
    return { result: await run(), pinned };
  } finally {
    if (pinned) unpin(everyone, count);
  }
}

/** Every thread of `pid` (threads it starts later inherit it) on the vCPUs `list`. Throws without `taskset`. */
function pin(pid: number, list: string): void {
  execFileSync("taskset", ["--all-tasks", "--pid", "--cpu-list", list, String(pid)], { stdio: "ignore" });
}

function unpin(pids: readonly number[], count: number): void {
  for (const pid of pids) {
    try {
      pin(pid, `0-${count - 1}`);
    } catch {
      // A process that has exited has nothing left to unpin.
    }
  }
}
