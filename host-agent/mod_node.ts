/**
 * The host-agent's door for Node-only code (STYLE §2, rule 4): the enclave log receiver as the local stack runs it.
 *
 * @example
 * ```ts
 * import { serveEnclaveLogs } from "../host-agent/mod_node.ts";
 * ```
 * @module
 */
export { serveEnclaveLogs } from "./logs/serve_enclave_logs_node.ts";
