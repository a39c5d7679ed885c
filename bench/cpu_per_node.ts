import { readFileSync } from "node:fs";

/** Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system, every thread) a process has used so far, in milliseconds, from `/proc/PID/stat`;
 * undefined where there is no /proc (then that process is left out of the breakdown).
 */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces) start at the state, field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * Measures the CPU time each named process (from /proc, Linux) and the calling one (as `load_generator`)
 * spend while `run` runs, divided by `count` (e.g. transactions): milliseconds of CPU per unit. This is the
 * harness's profile of where a send's cost goes.
 *
 * @example
 * ```ts
 * const { result, cpu } = await cpuPer(2000, { anvil: anvilPid }, () => driveHttp(url, options));
 * ```
 */
export async function cpuPer<T>(count: number, pids: Record<string, number | undefined>, run: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number> }> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, pid === undefined ? undefined : processCpuMs(pid)]));
  const self = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(self);
  const cpu: Record<string, number> = {};
  for (const [name, pid] of Object.entries(pids)) {
    const start = before[name];
    const end = pid === undefined ? undefined : processCpuMs(pid);
    if (start !== undefined && end !== undefined) cpu[name] = (end - start) / count;
  }
  cpu.load_generator = (used.user + used.system) / 1000 / count;
  return { result, cpu };
}
