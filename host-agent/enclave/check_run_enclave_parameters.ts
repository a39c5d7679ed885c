import type { RunEnclaveParameters } from "./nitro_cli.ts";

/**
 * Refuses `run-enclave` parameters nitro-cli would refuse (or that could smuggle an argument): CPU count ≥ 1,
 * memory ≥ 64 MiB, CID ≥ 4 (integers), a non-empty EIF path, a name of 1–64 word characters, dots or dashes.
 * Every enclave runner (`createNitroCli`, and the local stack's runner) checks with it before starting anything.
 *
 * @throws RangeError for a number out of range, TypeError for a bad path or name.
 * @example
 * ```ts
 * checkRunEnclaveParameters({ eifPath: "/opt/signer.eif", cpuCount: 2, memoryMib: 1024, cid: 16, name: "signer" });
 * ```
 */
export function checkRunEnclaveParameters(p: RunEnclaveParameters): void {
  for (const [name, value, min] of [["cpuCount", p.cpuCount, 1], ["memoryMib", p.memoryMib, 64], ["cid", p.cid, 4]] as const) {
    if (!Number.isInteger(value) || value < min) throw new RangeError(`Cannot run the enclave: ${name} ${value} is not an integer ≥ ${min}`);
  }
  if (typeof p.eifPath !== "string" || p.eifPath === "") throw new TypeError("Cannot run the enclave: eifPath is empty");
  if (!/^[\w.-]{1,64}$/.test(p.name)) throw new TypeError(`Cannot run the enclave: invalid name ${JSON.stringify(p.name)}`);
}
