/**
 * The host-agent's door (STYLE §2): what the local stack and the CDK app use of it, web standards only. Node-only
 * parts are in `mod_node.ts`.
 *
 * @example
 * ```ts
 * import { checkEnclaveMemory, loadAllKeys } from "../host-agent/mod.ts";
 * ```
 * @module
 */

// Key records and loading them into the signer (what the daemon does after every signer start).
export { DEFAULT_SECRET_PREFIX } from "./keys/key_record.ts";
export { generateKey } from "./keys/generate_key.ts";
export { loadAllKeys } from "./keys/load_all_keys.ts";
export { loadStoredPolicies } from "./policy/load_stored_policies.ts";

// The enclave's memory against its image (checked at synth and before every run-enclave).
export { checkEnclaveMemory } from "./enclave/check_enclave_memory.ts";

// The enclave-runner boundary the daemon drives (nitro-cli on an instance; the local stack brings its own).
export type { EnclaveDescription, EnclaveRunInfo, NitroCli, RunEnclaveParameters } from "./enclave/nitro_cli.ts";
export { NitroCliError } from "./enclave/nitro_cli_error.ts";
export { checkRunEnclaveParameters } from "./enclave/check_run_enclave_parameters.ts";
export { type EnclaveStatus, isEnclaveReady } from "./enclave/enclave_status.ts";

// What the local stack writes to stack.json for the key commands.
export { type LocalStackInfo } from "./local_stack/local_stack_info.ts";
