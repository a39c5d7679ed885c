import type { PolicyRule } from "../protocol/messages.ts";

/**
 * The signer's policy: what it refuses even when well-formed, each rule with a stable id that its refusals
 * carry (`data.rule`). `policy.describe` returns this list; anything else well-formed is signed as given.
 */
export const SIGNING_POLICY: readonly PolicyRule[] = [
  {
    id: "typed-data-chain",
    method: "sign.typedData",
    description: "EIP-712 data whose domain.chainId is given and differs from the caller's chain (the node's) is refused",
  },
  {
    id: "authorization-any-chain",
    method: "sign.authorization",
    description: "an EIP-7702 authorization with chainId 0, valid on every chain, is refused",
  },
];
