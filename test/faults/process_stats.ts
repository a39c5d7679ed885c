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

/**
 * The client ports of the connections the kernel holds as established on local TCP `port` (IPv4 and IPv6, from
 * /proc/net): accepted by the server listening there, or waiting in its accept queue. A client's connection the
 * kernel dropped before that (its accept queue full: the handshake's last ACK dropped) is not among them, though
 * the client, which never sends, still takes it for open. Undefined without /proc.
 */
export async function establishedPeers(port: number): Promise<Set<number> | undefined> {
  const tables = await Promise.all(["/proc/net/tcp", "/proc/net/tcp6"].map((path) => readFile(path, "utf8").catch(() => undefined)));
  if (tables.every((t) => t === undefined)) return undefined;
  const peers = new Set<number>();
  for (const line of tables.join("\n").split("\n")) {
    // "  sl  local_address rem_address   st …": addresses are HEXIP:HEXPORT; st 01 is ESTABLISHED.
    const [, local, remote, state] = line.trim().split(/\s+/);
    if (state !== "01" || !local || !remote) continue;
    if (parseInt(local.split(":")[1] ?? "", 16) === port) peers.add(parseInt(remote.split(":")[1] ?? "", 16));
  }
  return peers;
}
