import { mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { EnclaveStatus } from "../enclave/enclave_status.ts";

/**
 * Writes the daemon's status as JSON, atomically (a temporary file renamed over the old one), so a reader
 * never sees half a file. The directory is created if missing (under systemd: `RuntimeDirectory=nitro-signer`).
 * Mode 0644: it holds no secrets, and the rpc-proxy reads it.
 *
 * @example
 * ```ts
 * await writeStatusFile("/run/nitro-signer/status.json", status);
 * ```
 */
export async function writeStatusFile(path: string, status: EnclaveStatus): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(status, null, 2) + "\n", { mode: 0o644 });
  await rename(temporary, path);
}
