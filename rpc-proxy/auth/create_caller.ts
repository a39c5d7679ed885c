import type { MethodGroup } from "./method_group.ts";
import type { ApiKey } from "./parse_api_keys.ts";

/** Who sent a request, and what they may do. */
export type Caller = {
  /** The API key's name (for logs), undefined when no keys are configured. */
  readonly keyName: string | undefined;
  allowsGroup(group: MethodGroup): boolean;
  /** `address` in any case. */
  allowsAccount(address: string): boolean;
};

/**
 * The caller of a request: with an API key, limited to its method groups and accounts; without one (no keys
 * configured), allowed everything.
 *
 * @example
 * ```ts
 * const caller = createCaller(authenticateRequest(header, keys));
 * if (!caller.allowsGroup(methodGroup("eth_sendTransaction"))) throw new RpcError(RpcCode.unauthorized, "…");
 * ```
 */
export function createCaller(key: ApiKey | undefined): Caller {
  if (!key) return { keyName: undefined, allowsGroup: () => true, allowsAccount: () => true };
  return {
    keyName: key.name,
    allowsGroup: (group) => key.methods === "*" || key.methods.has(group),
    allowsAccount: (address) => key.accounts === "*" || key.accounts.has(address.toLowerCase()),
  };
}
