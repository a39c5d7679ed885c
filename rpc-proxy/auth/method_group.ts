/**
 * What an API key may be allowed to do (DESIGN §7): `read` the node's standard read-only methods, `sign`
 * (returns signatures), `send` (broadcasts), `attest` (signer_attestation), and `node-admin`: every other method
 * the node answers (its debug, admin, miner, txpool, dev-chain and unknown methods), which can change its state
 * or make it sign. Which method is in which group is the proxy's method table (`methods/rpc_methods.ts`).
 */
export type MethodGroup = "sign" | "send" | "read" | "attest" | "node-admin";

export const METHOD_GROUPS: readonly MethodGroup[] = ["sign", "send", "read", "attest", "node-admin"];
