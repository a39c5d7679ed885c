import type { KeyStore } from "../keys/key_store.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import { parseTransaction } from "../signing/parse_transaction.ts";
import { signTransaction } from "../signing/sign_transaction.ts";
import { addressParam, paramsRecord } from "./method_helpers.ts";

type Handler<M extends keyof SignerMethods> = (params: unknown) => SignerMethods[M]["result"] | Promise<SignerMethods[M]["result"]>;

/**
 * The `sign.*` methods: each takes the account's key from the store and signs exactly what it is given.
 *
 * @example
 * ```ts
 * const { raw } = signingMethods({ keyStore })["sign.transaction"]({ address, transaction });
 * ```
 */
export function signingMethods(deps: { keyStore: KeyStore }): { "sign.transaction": Handler<"sign.transaction"> } {
  return {
    "sign.transaction": (params) => {
      const p = paramsRecord(params);
      const key = deps.keyStore.get(addressParam(p));
      return signTransaction(key.privateKey, parseTransaction(p.transaction));
    },
  };
}
