import type { KeyStore } from "../keys/key_store.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import { labelParam, paramsRecord } from "./method_helpers.ts";

type Handler<M extends keyof SignerMethods> = (params: unknown) => SignerMethods[M]["result"] | Promise<SignerMethods[M]["result"]>;

/**
 * The `keys.*` methods over the in-memory key store.
 *
 * @example
 * ```ts
 * const { address } = await keyMethods({ keyStore })["keys.generate"]({ label: "hot" });
 * ```
 */
export function keyMethods(deps: { keyStore: KeyStore; random: (bytes: Uint8Array) => Uint8Array }): {
  "keys.generate": Handler<"keys.generate">;
  "keys.list": Handler<"keys.list">;
} {
  const { keyStore, random } = deps;
  return {
    "keys.generate": (params) => {
      const label = labelParam(paramsRecord(params));
      const address = keyStore.add(random(new Uint8Array(32)), label === undefined ? {} : { label });
      return { address };
    },
    "keys.list": () => keyStore.list(),
  };
}
