import { NitroCliError } from "./nitro_cli_error.ts";

/**
 * Extracts the JSON value `nitro-cli` prints on stdout. The tool prints its progress lines ("Start allocating
 * memory...", "Started enclave with enclave-cid: 16, …") on stderr and one pretty-printed JSON value on stdout,
 * but a wrapper or an older version may mix them, so this takes the text from the first line that starts a JSON
 * value to the end.
 *
 * @example
 * ```ts
 * parseNitroCliJson('Start allocating memory...\n{\n  "EnclaveID": "i-…-enc…"\n}\n', "run-enclave");
 * ```
 */
export function parseNitroCliJson(stdout: string, command: string): unknown {
  const start = stdout.search(/^\s*[[{]/m);
  if (start < 0) throw new NitroCliError(`nitro-cli ${command} printed no JSON`, { details: firstLine(stdout) });
  try {
    return JSON.parse(stdout.slice(start));
  } catch (cause) {
    throw new NitroCliError(`nitro-cli ${command} printed malformed JSON`, { cause });
  }
}

/** The first non-empty line of a text (nitro-cli puts its `[ Exx ] …` summary there). */
export function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
}
