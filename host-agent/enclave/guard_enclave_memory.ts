import { checkEnclaveMemory } from "./check_enclave_memory.ts";
import type { NitroCli } from "./nitro_cli.ts";

/**
 * Wraps a NitroCli so that every `runEnclave` first reads the EIF's size and refuses (RangeError, naming the
 * memory and the EIF size) a `memoryMib` below `minimumEnclaveMemoryMib`, before nitro-cli is run: the
 * supervisor then reports the reason in the status file's `lastError` instead of an enclave that cannot boot or
 * runs out of memory.
 *
 * @example
 * ```ts
 * const nitroCli = guardEnclaveMemory(createNitroCli(runCommand), { eifSize: async (path) => (await stat(path)).size });
 * ```
 */
export function guardEnclaveMemory(nitroCli: NitroCli, options: { eifSize: (path: string) => Promise<number> }): NitroCli {
  return {
    ...nitroCli,
    async runEnclave(parameters) {
      let size: number;
      try {
        size = await options.eifSize(parameters.eifPath);
      } catch (cause) {
        throw new TypeError(`Cannot run the enclave: cannot read the EIF ${parameters.eifPath}: ${(cause as Error).message}`, { cause });
      }
      checkEnclaveMemory(parameters.memoryMib, size, { setting: "--memory-mib" });
      return await nitroCli.runEnclave(parameters);
    },
  };
}
