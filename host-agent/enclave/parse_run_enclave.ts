import type { EnclaveRunInfo } from "./nitro_cli.ts";
import { NitroCliError } from "./nitro_cli_error.ts";
import { parseNitroCliJson } from "./parse_nitro_cli_json.ts";

/**
 * Parses `nitro-cli run-enclave` output: one JSON object (`EnclaveRunInfo`:
 * `EnclaveName, EnclaveID, ProcessID, EnclaveCID, NumberOfCPUs, CPUIDs, MemoryMiB`).
 *
 * @example
 * ```ts
 * const { EnclaveID, EnclaveCID } = parseRunEnclave(stdout);
 * ```
 */
export function parseRunEnclave(stdout: string): EnclaveRunInfo {
  const value = parseNitroCliJson(stdout, "run-enclave") as Record<string, unknown>;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new NitroCliError("nitro-cli run-enclave did not print a JSON object");
  }
  if (typeof value.EnclaveID !== "string" || value.EnclaveID === "") throw new NitroCliError("nitro-cli run-enclave printed no EnclaveID");
  if (typeof value.EnclaveCID !== "number") throw new NitroCliError("nitro-cli run-enclave printed no EnclaveCID");
  return {
    EnclaveName: typeof value.EnclaveName === "string" ? value.EnclaveName : "",
    EnclaveID: value.EnclaveID,
    ProcessID: typeof value.ProcessID === "number" ? value.ProcessID : 0,
    EnclaveCID: value.EnclaveCID,
    NumberOfCPUs: typeof value.NumberOfCPUs === "number" ? value.NumberOfCPUs : 0,
    CPUIDs: Array.isArray(value.CPUIDs) ? (value.CPUIDs as number[]) : [],
    MemoryMiB: typeof value.MemoryMiB === "number" ? value.MemoryMiB : 0,
  };
}
