import { spawn } from "node:child_process";
import type { CommandRunner } from "../enclave/nitro_cli.ts";

/**
 * Runs a program without a shell and collects its output (Node's child_process; Deno runs it too, with
 * `--allow-run`). A timeout kills it with SIGKILL and rejects. Output is capped at 4 MiB per stream.
 *
 * @example
 * ```ts
 * const { code, stdout } = await runCommand("nitro-cli", ["describe-enclaves"], { timeoutMs: 30000 });
 * ```
 */
export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] });
    const limit = 4 * 1024 * 1024;
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout = (stdout + d).slice(0, limit)));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(0, limit)));
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command} ${args[0] ?? ""} did not finish within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
