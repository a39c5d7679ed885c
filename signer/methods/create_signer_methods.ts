import type { CredentialsStore } from "../credentials/credentials_store.ts";
import type { EnclaveKeyPair } from "../keys/create_enclave_key_pair.ts";
import type { KeyStore } from "../keys/key_store.ts";
import type { KeyVault } from "../keys/key_vault.ts";
import type { Nsm } from "../nsm/nsm.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import type { MethodTable } from "../server/handle_request.ts";
import { enclaveMethods } from "./enclave_methods.ts";
import { keyMethods } from "./key_methods.ts";
import { signingMethods } from "./signing_methods.ts";

export const SIGNER_NAME = "nitro-eth-signer";
export const SIGNER_VERSION = "0.1.0";

export type CreateSignerMethodsOptions = {
  keyStore: KeyStore;
  nsm: Nsm;
  identity: EnclaveKeyPair;
  credentials: CredentialsStore;
  /** KMS; absent, keys are memory-only and keys.load/keys.import are refused. */
  vault?: KeyVault;
  /** Fills a buffer with cryptographically secure random bytes. @default WebCrypto */
  random?: (bytes: Uint8Array) => Uint8Array;
};

/**
 * The signer's method table (DESIGN §4), composed from the method groups. Every method validates its params
 * first and answers with a CBOR-encodable result, or throws a BaseError subclass with a stable code.
 *
 * @example
 * ```ts
 * const methods = createSignerMethods({ keyStore, nsm, identity, credentials, vault });
 * await methods["keys.generate"]({});
 * ```
 */
export function createSignerMethods(options: CreateSignerMethodsOptions): MethodTable {
  const { keyStore, nsm, identity } = options;
  const describe = (): SignerMethods["describe"]["result"] => ({
    name: SIGNER_NAME,
    version: SIGNER_VERSION,
    nsm: nsm.kind,
    accounts: keyStore.list().length,
    workers: keyStore.workers,
  });
  return {
    describe,
    ...enclaveMethods({ keyStore, nsm, identity, credentials: options.credentials }),
    ...keyMethods({
      keyStore,
      nsm,
      identity,
      ...(options.vault ? { vault: options.vault } : {}),
      ...(options.random ? { random: options.random } : {}),
    }),
    ...signingMethods({ keyStore }),
  };
}
