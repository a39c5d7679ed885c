/**
 * The signer's door for Node-only code (STYLE §2, rule 4): the tcp/unix transport for the Node entry points, the
 * local stack and the bench. Everything web-standard is in `mod.ts`.
 *
 * @example
 * ```ts
 * import { nodeTransport } from "../signer/mod_node.ts";
 * ```
 * @module
 */
export { nodeTransport } from "./transport/transport_node.ts";
