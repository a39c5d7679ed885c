import type { EnclaveDescription } from "./nitro_cli.ts";
import { NitroCliError } from "./nitro_cli_error.ts";
import { parseNitroCliJson } from "./parse_nitro_cli_json.ts";

/**
 * Parses `nitro-cli describe-enclaves` output: a JSON array of `EnclaveDescribeInfo` (aws-nitro-enclaves-cli
 * src/common/json_output.rs). Fields this project does not use are kept as they are; the ones it uses are
 * checked.
 *
 * @example
 * ```ts
 * const [enclave] = parseDescribeEnclaves(stdout);
 * enclave?.State; // "RUNNING"
 * ```
 */
export function parseDescribeEnclaves(stdout: string): EnclaveDescription[] {
  const value = parseNitroCliJson(stdout, "describe-enclaves");
  if (!Array.isArray(value)) throw new NitroCliError("nitro-cli describe-enclaves did not print a JSON array");
  return value.map((entry, i) => {
    const e = entry as Record<string, unknown>;
    const bad = (field: string) => new NitroCliError(`nitro-cli describe-enclaves entry ${i}: ${field} is missing or malformed`);
    if (typeof e !== "object" || e === null) throw bad("entry");
    if (typeof e.EnclaveID !== "string" || e.EnclaveID === "") throw bad("EnclaveID");
    if (typeof e.EnclaveCID !== "number") throw bad("EnclaveCID");
    if (typeof e.State !== "string") throw bad("State");
    return {
      ...(e as object),
      EnclaveName: typeof e.EnclaveName === "string" ? e.EnclaveName : "",
      ProcessID: typeof e.ProcessID === "number" ? e.ProcessID : 0,
      NumberOfCPUs: typeof e.NumberOfCPUs === "number" ? e.NumberOfCPUs : 0,
      CPUIDs: Array.isArray(e.CPUIDs) ? (e.CPUIDs as number[]) : [],
      MemoryMiB: typeof e.MemoryMiB === "number" ? e.MemoryMiB : 0,
      Flags: typeof e.Flags === "string" ? e.Flags : "NONE",
    } as EnclaveDescription;
  });
}
