/**
 * Helpers every room uses, owned by none: command-line flags, base64 and `--pcr` arguments. Web standards only,
 * so the signer's enclave image bundles them with the signer.
 *
 * @example
 * ```ts
 * import { base64ToBytes, parsePcrArgument, readFlags } from "../common/mod.ts";
 * ```
 * @module
 */
export { type Flags, type ReadFlagsOptions, readFlags } from "./read_flags.ts";
export { base64ToBytes, bytesToBase64 } from "./base64.ts";
export { type PcrArgument, parsePcrArgument } from "./parse_pcr_argument.ts";
