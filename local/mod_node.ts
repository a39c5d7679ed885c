/**
 * The local stack's door (STYLE §2): the pieces the bench starts on its own (Anvil, a Deno signer, any service
 * binary from npm). Everything in local/ runs under Node.
 *
 * @example
 * ```ts
 * import { startAnvil, startSigner } from "../local/mod_node.ts";
 * ```
 * @module
 */
export { binaryPath } from "./binaries_node.ts";
export { ensureStateTable } from "./dynamodb/ensure_state_table.ts";
export { type DynamoDbStandIn, startDynamoDbStandIn, type StartDynamoDbStandInOptions } from "./dynamodb/start_dynamodb_stand_in_node.ts";
export { listeningEvent, type Service, spawnService } from "./spawn_service_node.ts";
export { ANVIL_MIXED_MINING, startAnvil } from "./start_anvil_node.ts";
export { startSigner } from "./start_signer_node.ts";
