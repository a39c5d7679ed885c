import type { CurveName } from "../signing/curve.ts";

/** What a signing worker is told when it starts: the curve the main thread chose, and the native library's path. */
export type SigningWorkerConfig = { curve: CurveName; library?: string };

const PREFIX = "signing-worker ";

/**
 * A Deno worker's `name` carrying its configuration (`new Worker(url, { name })`; the worker reads `self.name`
 * before its first message, so no start-up message is needed and the message protocol is unchanged).
 *
 * @example
 * ```ts
 * new Worker(url, { type: "module", name: signingWorkerName({ curve: "native" }) });
 * ```
 */
export function signingWorkerName(config: SigningWorkerConfig): string {
  return `${PREFIX}${JSON.stringify(config)}`;
}

/**
 * Reads a name written by `signingWorkerName`; anything else (a worker started without one) signs with wasm.
 *
 * @example
 * ```ts
 * const { curve, library } = parseSigningWorkerName(self.name);
 * ```
 */
export function parseSigningWorkerName(name: string | undefined): SigningWorkerConfig {
  if (!name?.startsWith(PREFIX)) return { curve: "wasm" };
  const parsed = JSON.parse(name.slice(PREFIX.length)) as { curve?: unknown; library?: unknown };
  if (parsed.curve !== "native" && parsed.curve !== "wasm") throw new TypeError(`Invalid signing worker curve ${JSON.stringify(parsed.curve)}`);
  if (parsed.library !== undefined && typeof parsed.library !== "string") throw new TypeError("Invalid signing worker library");
  return parsed.library === undefined ? { curve: parsed.curve } : { curve: parsed.curve, library: parsed.library };
}
