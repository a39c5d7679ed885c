import { methodGroup } from "./method_group.ts";
import type { ApiKey } from "./parse_api_keys.ts";

/** Who sent a request, and what they may do. */
export type Caller = {
  /** The API key's name (for logs), undefined when no keys are configured. */
  readonly keyName: string | undefined;
  allowsMethod(method: string): boolean;
  allowsAccount(address: string): boolean;
};

/**
 * The caller of a request: with an API key, limited to its method groups and accounts; without one (no keys
 * configured), allowed everything.
 *
 * @example
 * ```ts
 * const caller = createCaller(authenticateRequest(header, keys));
 * if (!caller.allowsMethod("eth_sendTransaction")) throw new RpcError(RpcCode.unauthorized, "…");
 * ```
 */
export function createCaller(key: ApiKey | undefined): Caller {
  if (!key) return { keyName: undefined, allowsMethod: () => true, allowsAccount: () => true };
  return {
    keyName: key.name,
    allowsMethod: (method) => key.methods === "*" || key.methods.has(methodGroup(method)),
    allowsAccount: (address) => key.accounts === "*" || key.accounts.has(address.toLowerCase()),
  };
}
