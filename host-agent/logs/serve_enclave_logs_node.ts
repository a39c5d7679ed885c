import { appendFile, mkdir, rm } from "node:fs/promises";
import { dirname } from "node:path";
import type { SignerAddress, Transport } from "../../signer/mod.ts";
import { receiveEnclaveLogs } from "./receive_enclave_logs.ts";

export type ServeEnclaveLogsResult = {
  /** Where the receiver listens (the bound port for `tcp://…:0`). */
  readonly address: SignerAddress;
  /** Resolves when the listener is closed and every connection has ended. */
  readonly done: Promise<void>;
  close(): void;
};

/**
 * Listens at `address` for the signer's log stream and appends its lines to `file` (created 0640 with its
 * directory if missing; on an instance `/var/log/nitro-signer/signer.log`, which the CloudWatch agent ships and
 * logrotate rotates with copytruncate, so each append opens the file anew). A stale Unix socket is replaced.
 *
 * @example
 * ```ts
 * const logs = await serveEnclaveLogs(denoTransport, { transport: "vsock", cid: -1, port: 5001 }, "/var/log/nitro-signer/signer.log");
 * ```
 */
export async function serveEnclaveLogs(
  transport: Transport,
  address: SignerAddress,
  file: string,
  options: { log?: (event: Record<string, unknown>) => void } = {},
): Promise<ServeEnclaveLogsResult> {
  await mkdir(dirname(file), { recursive: true });
  if (address.transport === "unix") await rm(address.path, { force: true });
  const listener = await transport.listen(address);
  const done = receiveEnclaveLogs(listener, {
    append: (text) => appendFile(file, text, { mode: 0o640 }),
    ...(options.log ? { log: options.log } : {}),
  });
  return { address: listener.address, done, close: () => listener.close() };
}
