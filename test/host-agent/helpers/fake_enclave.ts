import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { binaryPath } from "../../../local/binaries_node.ts";

/** The folder holding the fake `nitro-cli`; put it first on PATH. */
export const FAKES_DIR = fileURLToPath(new URL("../../fakes", import.meta.url));
export const FAKE_NITRO_CLI = join(FAKES_DIR, "nitro-cli");
const SIGNER_MAIN = fileURLToPath(new URL("../../../signer/main_deno.ts", import.meta.url));

/** The argv the fake nitro-cli runs as the "enclave": the real Deno signer in dev mode at `listen`. */
export function signerEnclaveCommand(listen: string, extra: string[] = []): string[] {
  return [
    binaryPath("deno"), "run", "--quiet", "--unstable-vsock", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-sys",
    SIGNER_MAIN, "--listen", listen, "--mode", "dev", ...extra,
  ];
}

/** The fake nitro-cli's call log: one argv per invocation. */
export async function nitroCliCalls(stateDir: string): Promise<string[][]> {
  const text = await readFile(join(stateDir, "calls.jsonl"), "utf8").catch(() => "");
  return text.split("\n").filter(Boolean).map((line) => (JSON.parse(line) as { args: string[] }).args);
}

/** Polls `check` until it returns a value other than undefined/false, or throws after `timeoutMs` with `describe()`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 60_000, describe?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}${describe ? `\n${describe()}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
