/**
 * The host-agent's door for Node-only code (STYLE §2, rule 4): the enclave log receiver, the status file writer and the daemon, as the local stack runs them.
 *
 * @example
 * ```ts
 * import { serveEnclaveLogs } from "../host-agent/mod_node.ts";
 * ```
 * @module
 */
export { serveEnclaveLogs } from "./logs/serve_enclave_logs_node.ts";
export { writeStatusFile } from "./daemon/write_status_file_node.ts";
// The daemon itself (the local stack runs it in-process with its own enclave runner); it pulls in the AWS SDK.
export { runDaemon, type RunDaemonDeps } from "./daemon/run_daemon.ts";
export { parseDaemonConfig, type DaemonConfig } from "./daemon/parse_daemon_config.ts";
