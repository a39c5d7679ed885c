import { stat } from "node:fs/promises";
import { formatSignerAddress, type Transport } from "../../signer/mod.ts";
import { serveEnclaveLogs, type ServeEnclaveLogsResult } from "../logs/serve_enclave_logs_node.ts";
import { loadAllKeys } from "../keys/load_all_keys.ts";
import { loadStoredPolicies } from "../policy/load_stored_policies.ts";
import { DAEMON_USAGE, parseDaemonConfig } from "./parse_daemon_config.ts";
import { runCommand } from "./run_command_node.ts";
import { runDaemon } from "./run_daemon.ts";
import { writeStatusFile } from "./write_status_file_node.ts";

/**
 * `host-agent daemon [options]`: parses flags and environment, wires the daemon with the Node-API adapters
 * (child_process for nitro-cli, fs for the status file; both also run under Deno) and the given transport
 * (Node: tcp/unix for tests; Deno: vsock on an instance), receives the signer's log lines into the signer's log
 * file (`--enclave-logs`), and runs until SIGTERM/SIGINT. Returns the exit code:
 * 0 after a clean stop, 2 on bad input (with a one-line reason on stderr), 1 on a fatal error.
 *
 * @example
 * ```ts
 * process.exitCode = await runDaemonCommand(process.argv.slice(3), process.env, { transport: nodeTransport });
 * ```
 */
export async function runDaemonCommand(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: { transport: Transport },
): Promise<number> {
  if (args.includes("--help")) {
    process.stdout.write(DAEMON_USAGE);
    return 0;
  }
  let config;
  try {
    config = parseDaemonConfig(args, env);
  } catch (error) {
    process.stderr.write(`host-agent daemon: ${(error as Error).message}\n`);
    return 2;
  }
  const log = (event: Record<string, unknown>) =>
    process.stderr.write(JSON.stringify({ time: new Date().toISOString(), service: "host-agent", ...event }) + "\n");
  const controller = new AbortController();
  const stop = (signal: string) => {
    if (controller.signal.aborted) return;
    log({ event: "stopping", signal });
    controller.abort();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // The signer's log lines: a receiver that cannot start costs the logs, never the enclave (signing goes on).
  let enclaveLogs: ServeEnclaveLogsResult | undefined;
  if (config.enclaveLogs) {
    try {
      enclaveLogs = await serveEnclaveLogs(options.transport, config.enclaveLogs, config.enclaveLogFile, { log });
      log({ event: "enclave-logs-listening", address: formatSignerAddress(enclaveLogs.address), file: config.enclaveLogFile });
    } catch (error) {
      log({ event: "enclave-logs-unavailable", address: formatSignerAddress(config.enclaveLogs), error: (error as Error).message });
    }
  }
  try {
    await runDaemon(config, {
      transport: options.transport,
      runCommand,
      writeStatus: writeStatusFile,
      loadAllKeys,
      loadStoredPolicies,
      eifSize: async (path) => (await stat(path)).size,
      signal: controller.signal,
      log,
    });
    log({ event: "stopped" });
    return 0;
  } catch (error) {
    log({ event: "fatal", error: (error as Error).message });
    return 1;
  } finally {
    enclaveLogs?.close();
    await enclaveLogs?.done;
  }
}
