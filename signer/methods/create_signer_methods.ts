import type { KeyStore } from "../keys/key_store.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import type { MethodTable } from "../server/handle_request.ts";
import { keyMethods } from "./key_methods.ts";
import { signingMethods } from "./signing_methods.ts";

export const SIGNER_NAME = "nitro-eth-signer";
export const SIGNER_VERSION = "0.1.0";

export type CreateSignerMethodsOptions = {
  keyStore: KeyStore;
  /** Fills a buffer with cryptographically secure random bytes. @default WebCrypto */
  random?: (bytes: Uint8Array) => Uint8Array;
  nsm?: "device" | "simulated" | "none";
};

/**
 * The signer's method table (DESIGN §4), composed from the method groups. Every method validates its params
 * first and answers with a CBOR-encodable result, or throws a BaseError subclass with a stable code.
 *
 * @example
 * ```ts
 * const methods = createSignerMethods({ keyStore: createKeyStore() });
 * await methods["keys.generate"]({});
 * ```
 */
export function createSignerMethods(options: CreateSignerMethodsOptions): MethodTable {
  const { keyStore } = options;
  const random = options.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const describe = (): SignerMethods["describe"]["result"] => ({
    name: SIGNER_NAME,
    version: SIGNER_VERSION,
    nsm: options.nsm ?? "none",
    accounts: keyStore.list().length,
    workers: 1,
  });
  return {
    describe,
    ...keyMethods({ keyStore, random }),
    ...signingMethods({ keyStore }),
  };
}
