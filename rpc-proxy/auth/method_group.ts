import { UNSUPPORTED_METHODS } from "../methods/unsupported_methods.ts";

/** What an API key may be allowed to do (DESIGN §7); `read` is everything that signs and sends nothing. */
export type MethodGroup = "sign" | "send" | "read" | "attest";

export const METHOD_GROUPS: readonly MethodGroup[] = ["sign", "send", "read", "attest"];

const GROUPS: Readonly<Record<string, MethodGroup>> = {
  eth_sign: "sign",
  personal_sign: "sign",
  eth_signTypedData_v4: "sign",
  eth_signTransaction: "sign",
  eth_sendTransaction: "send",
  wallet_sendTransaction: "send",
  eth_sendRawTransaction: "send",
  eth_sendRawTransactionSync: "send",
  signer_attestation: "attest",
  // Refused with 4200, but grouped by what they would do.
  ...Object.fromEntries(Object.entries(UNSUPPORTED_METHODS).map(([method, { group }]) => [method, group])),
};

/**
 * The group a JSON-RPC method belongs to: `sign` (returns signatures), `send` (broadcasts, including
 * eth_sendRawTransaction), `attest` (signer_attestation), and `read` for everything else (eth_accounts,
 * eth_chainId and every method passed through to the node).
 *
 * @example
 * ```ts
 * methodGroup("personal_sign"); // "sign"
 * ```
 */
export function methodGroup(method: string): MethodGroup {
  return Object.hasOwn(GROUPS, method) ? GROUPS[method]! : "read";
}
