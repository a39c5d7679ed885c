/**
 * The signer's door for Deno-only code (STYLE §2, rule 4): the transport with vsock, for the services that run
 * under Deno in production; the native secp256k1 curve (FFI), for the bench. Everything web-standard is in `mod.ts`.
 *
 * @example
 * ```ts
 * import { denoTransport } from "../signer/mod_deno.ts";
 * ```
 * @module
 */
export { denoTransport } from "./transport/transport_deno.ts";
export { openNativeCurveDeno, type NativeCurve } from "./signing/open_native_curve_deno.ts";
