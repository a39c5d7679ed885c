import { readdir, readFile } from "node:fs/promises";

/** Resident set size of a process in MiB (from /proc), or undefined when it is gone or /proc is missing. */
export async function rssMiB(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round((kb / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Open file descriptors (sockets included) of a process, or undefined when it is gone. */
export async function openFds(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  try {
    return (await readdir(`/proc/${pid}/fd`)).length;
  } catch {
    return undefined;
  }
}

/**
 * Processes of this user whose command line contains every one of `parts` (e.g. the signer's entry point and
 * its socket path): exact, so a fault is injected into the one process a case started, never by a broad name.
 */
export async function findPids(parts: string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir("/proc").catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    const text = cmdline.replaceAll("\0", " ");
    if (parts.every((p) => text.includes(p))) pids.push(Number(name));
  }
  return pids;
}
