import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { existsSync } from "node:fs";

const require = createRequire(import.meta.url);

/**
 * Paths of the native binaries that npm installs as platform packages (no install scripts needed): Deno from
 * `deno` (→ `@deno/<platform>`), Anvil and cast from `@foundry-rs/*` (→ `@foundry-rs/<tool>-<platform>`).
 *
 * @example
 * ```ts
 * spawn(binaryPath("anvil"), ["--port", "0"]);
 * ```
 */
export function binaryPath(tool: "deno" | "anvil" | "cast"): string {
  const arch = process.arch === "x64" ? (tool === "deno" ? "x64" : "amd64") : process.arch;
  const candidates = tool === "deno"
    ? [`@deno/${process.platform}-${arch}-glibc/package.json`, `@deno/${process.platform}-${arch}/package.json`]
    : [`@foundry-rs/${tool}-${process.platform}-${arch}/package.json`];
  for (const candidate of candidates) {
    try {
      const dir = dirname(require.resolve(candidate));
      const path = tool === "deno" ? join(dir, "deno") : join(dir, "bin", tool);
      if (existsSync(path)) return path;
    } catch { /* try the next */ }
  }
  throw new Error(`Cannot find the ${tool} binary for ${process.platform}-${process.arch}: run npm install`);
}
