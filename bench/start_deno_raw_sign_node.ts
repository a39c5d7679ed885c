import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { binaryPath } from "../local/mod_node.ts";

const SCRIPT = fileURLToPath(new URL("./raw_sign_deno.ts", import.meta.url));

export type DenoRawSign = {
  /** viem signTransaction per second in Deno, over `durationMs` (after a short warm-up). */
  raw(durationMs: number, warmupMs: number): Promise<number>;
  curve(durationMs: number): Promise<{ noble: number; wasm: number; native: number | null; identical: boolean }>;
  version(): Promise<string>;
  close(): void;
};

/**
 * Starts `bench/raw_sign_deno.ts` under the pinned Deno and talks to it one command at a time, so Deno's
 * in-process measurements can alternate with the harness's other rounds. Each answer is bounded in time.
 *
 * @example
 * ```ts
 * const deno = await startDenoRawSign();
 * const perSecond = await deno.raw(1500, 300);
 * deno.close();
 * ```
 */
export async function startDenoRawSign(): Promise<DenoRawSign> {
  const child = spawn(binaryPath("deno"), ["run", "--quiet", "--allow-read", "--allow-env", "--allow-ffi", SCRIPT], {
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-2000)));
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  let exited = false;
  createInterface({ input: child.stdout }).on("line", (line) => {
    lines.push(line);
    wake?.();
  });
  child.on("exit", () => {
    exited = true;
    wake?.();
  });
  const ask = async (command: string, timeoutMs: number): Promise<Record<string, unknown>> => {
    child.stdin.write(`${command}\n`);
    const deadline = Date.now() + timeoutMs;
    while (lines.length === 0) {
      if (exited) throw new Error(`bench/raw_sign_deno.ts exited: ${stderr.trim().slice(-500)}`);
      if (Date.now() > deadline) throw new Error(`bench/raw_sign_deno.ts did not answer "${command}" within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 250);
      });
    }
    const answer = JSON.parse(lines.shift()!) as Record<string, unknown>;
    if (answer.error) throw new Error(`bench/raw_sign_deno.ts: ${answer.error}`);
    return answer;
  };
  const startup = 60_000;
  await ask("version", startup); // module loading: the first answer may take a while
  return {
    raw: async (durationMs, warmupMs) => (await ask(`raw ${durationMs} ${warmupMs}`, 30_000 + 4 * durationMs)).per_s as number,
    curve: async (durationMs) => (await ask(`curve ${durationMs}`, 30_000 + 4 * durationMs)) as { noble: number; wasm: number; native: number | null; identical: boolean },
    version: async () => (await ask("version", 10_000)).deno as string,
    close: () => {
      child.stdin.end();
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    },
  };
}
