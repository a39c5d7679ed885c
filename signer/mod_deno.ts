/**
 * The signer's door for Deno-only code (STYLE §2, rule 4): the transport with vsock, for the services that run
 * under Deno in production. Everything web-standard is in `mod.ts`.
 *
 * @example
 * ```ts
 * import { denoTransport } from "../signer/mod_deno.ts";
 * ```
 * @module
 */
export { denoTransport } from "./transport/transport_deno.ts";
