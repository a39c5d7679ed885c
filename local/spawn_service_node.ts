import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export type Service = {
  readonly name: string;
  readonly child: ChildProcess;
  /** Resolves when the process has exited (with its code or signal). */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
};

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/**
 * Starts a child process and waits until one of its output lines satisfies `ready` (which returns the value
 * to resolve with, or undefined to keep waiting). Children are killed when this process exits, so a crash of
 * the launcher leaves no orphans. Output lines after readiness go to `onLine`.
 *
 * @example
 * ```ts
 * const { service, value: port } = await spawnService("anvil", anvilPath, ["--port", "0"], {
 *   ready: (line) => /Listening on .*:(\d+)/.exec(line)?.[1],
 * });
 * ```
 */
export async function spawnService<T>(
  name: string,
  command: string,
  args: readonly string[],
  options: {
    ready: (line: string) => T | undefined;
    env?: Record<string, string | undefined>;
    cwd?: string;
    timeoutMs?: number;
    onLine?: (line: string, stream: "stdout" | "stderr") => void;
  },
): Promise<{ service: Service; value: T }> {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  running.add(child);
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? "unknown");
    })
  );
  const service: Service = {
    name,
    child,
    exited,
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const recent: string[] = [];
  const value = await new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => finish(new Error(`${name} did not become ready within ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
    const finish = (error: Error | undefined, result?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (error) {
        child.kill("SIGKILL");
        reject(new Error(`${error.message}\n${recent.join("\n")}`));
      } else resolve(result as T);
    };
    for (const [stream, source] of [["stdout", child.stdout!], ["stderr", child.stderr!]] as const) {
      createInterface({ input: source }).on("line", (line) => {
        if (!done) {
          recent.push(line);
          if (recent.length > 20) recent.shift();
          const result = options.ready(line);
          if (result !== undefined) finish(undefined, result);
        } else options.onLine?.(line, stream);
      });
    }
    child.once("error", (error) => finish(error));
    void exited.then((code) => finish(new Error(`${name} exited (${code}) before it was ready`)));
  });
  return { service, value };
}

/**
 * A `ready` test for this project's services, which announce themselves with one JSON line
 * `{ "event": "listening", … }`: resolves with that line's `field` (the signer's `address`, the proxy's `url`).
 *
 * @example
 * ```ts
 * const { value: url } = await spawnService("rpc-proxy", deno, args, { ready: listeningEvent("url") });
 * ```
 */
export function listeningEvent(field: "address" | "url"): (line: string) => string | undefined {
  return (line) => {
    if (!line.startsWith("{")) return undefined;
    try {
      const event = JSON.parse(line) as { event?: string } & Record<string, unknown>;
      return event.event === "listening" && typeof event[field] === "string" ? (event[field] as string) : undefined;
    } catch {
      return undefined;
    }
  };
}
