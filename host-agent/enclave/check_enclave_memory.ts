/**
 * `nitro-cli run-enclave` refuses a `--memory` below four times the EIF's size (error E26, "Insufficient memory
 * requested"): the image is copied into enclave memory and unpacked there, and the root filesystem stays in RAM.
 */
export const EIF_MEMORY_FACTOR = 4;

/**
 * What the running signer needs beyond that, MiB. Measured with `bench/measure_signer_memory_node.ts` (the real
 * Deno signer, dev mode, 300 memory-only keys each used for 10 signatures, on a 2-core x86_64 machine):
 * peak resident memory (VmHWM) 212 MiB with the default workers (one per vCPU: 2, as the default enclave has),
 * 265 MiB with 4 workers, 134 MiB with none; 1000 keys did not add to it. 320 MiB covers 4 workers with 20% to
 * spare and the default with 50%. Each worker beyond 4 adds about 30 MiB: give those enclaves more memory.
 */
export const ENCLAVE_MEMORY_HEADROOM_MIB = 320;

const MIB = 1024 * 1024;

/**
 * The least enclave memory, MiB, that boots an EIF of `eifSizeBytes` and runs the signer in it:
 * `ceil(EIF_MEMORY_FACTOR × size) + ENCLAVE_MEMORY_HEADROOM_MIB`.
 *
 * @example
 * ```ts
 * minimumEnclaveMemoryMib(150 * 1024 * 1024); // 920
 * ```
 */
export function minimumEnclaveMemoryMib(eifSizeBytes: number): number {
  if (!Number.isSafeInteger(eifSizeBytes) || eifSizeBytes <= 0) {
    throw new RangeError(`Cannot size the enclave: EIF size ${eifSizeBytes} is not a positive number of bytes`);
  }
  return Math.ceil((EIF_MEMORY_FACTOR * eifSizeBytes) / MIB) + ENCLAVE_MEMORY_HEADROOM_MIB;
}

/**
 * Throws a RangeError naming both numbers when `memoryMib` is below `minimumEnclaveMemoryMib(eifSizeBytes)`.
 * `setting` is what the operator changes (`--memory-mib`, `enclaveMemoryMib`), for the message.
 *
 * @example
 * ```ts
 * checkEnclaveMemory(1024, statSync(eif).size, { setting: "--memory-mib" });
 * ```
 */
export function checkEnclaveMemory(memoryMib: number, eifSizeBytes: number, options: { setting: string }): void {
  const minimum = minimumEnclaveMemoryMib(eifSizeBytes);
  if (memoryMib >= minimum) return;
  const eifMib = (eifSizeBytes / MIB).toFixed(1);
  throw new RangeError(
    `Cannot use ${options.setting} ${memoryMib}: the enclave image (EIF) is ${eifMib} MiB (${eifSizeBytes} bytes), and an enclave ` +
      `needs ${EIF_MEMORY_FACTOR} × that (nitro-cli's floor) plus ${ENCLAVE_MEMORY_HEADROOM_MIB} MiB for the signer: give at least ${minimum} MiB`,
  );
}
