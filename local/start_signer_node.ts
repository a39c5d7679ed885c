import { fileURLToPath } from "node:url";
import { binaryPath } from "./binaries_node.ts";
import { listeningEvent, spawnService, type Service } from "./spawn_service_node.ts";

const SIGNER_MAIN = fileURLToPath(new URL("../signer/main_deno.ts", import.meta.url));

/**
 * Starts the signer as a real Deno process listening at `listen` (e.g. `unix:///…/signer.sock` or
 * `tcp://127.0.0.1:0`) and resolves with the address it bound, once it says it is listening.
 *
 * @example
 * ```ts
 * const signer = await startSigner({ listen: "tcp://127.0.0.1:0" });
 * ```
 */
export async function startSigner(options: { listen: string; args?: string[]; env?: Record<string, string> }): Promise<{ address: string; service: Service }> {
  const args = ["run", "--quiet", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-ffi", "--allow-sys", SIGNER_MAIN, "--listen", options.listen, ...(options.args ?? ["--mode", "dev"])];
  const { service, value } = await spawnService("signer", binaryPath("deno"), args, {
    env: { NO_COLOR: "1", ...options.env },
    timeoutMs: 60_000,
    ready: listeningEvent("address"),
    onLine: (line, stream) => {
      if (stream === "stderr" && process.env.SIGNER_LOG) process.stderr.write(`${line}\n`);
    },
  });
  return { address: value, service };
}
