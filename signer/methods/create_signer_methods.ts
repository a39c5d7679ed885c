import type { CredentialsStore } from "../credentials/credentials_store.ts";
import type { EnclaveKeyPair } from "../keys/create_enclave_key_pair.ts";
import type { KeyStore } from "../keys/key_store.ts";
import type { KeyVault } from "../keys/key_vault.ts";
import type { Nsm } from "../nsm/nsm.ts";
import { createPolicyEngine, type PolicyEngine } from "../policy/create_policy_engine.ts";
import type { Hex, SignerMethods } from "../protocol/messages.ts";
import type { MethodTable } from "../server/handle_request.ts";
import { enclaveMethods } from "./enclave_methods.ts";
import { keyMethods } from "./key_methods.ts";
import { governanceSync, signingMethods } from "./signing_methods.ts";

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
  /** Each governed key's approved policy and limits (in memory: a restarted signer has none until they are applied again). @default createPolicyEngine({ windows }) */
  policy?: PolicyEngine;
  /**
   * Where the default engine keeps the limits' windows: this signer's memory, or the fleet's table (records the
   * caller presents, authenticated with each key's window key; docs/fleet-state.md). @default "memory"
   */
  windows?: "memory" | "fleet";
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
  const policy = options.policy ?? createPolicyEngine({ windows: options.windows ?? "memory", windowKey: (address) => keyStore.windowKey(address) });
  const syncGovernance = governanceSync({ keyStore, policy });
  /** What governs an account, after bringing the engine in step with the key store. */
  const accountPolicy = (address: Hex) => (syncGovernance(address), policy.describe(address).policy);
  const describe = (): SignerMethods["describe"]["result"] => ({
    name: SIGNER_NAME,
    version: SIGNER_VERSION,
    nsm: nsm.kind,
    accounts: keyStore.list().length,
    workers: keyStore.workers,
    windows: policy.windows,
  });
  return {
    describe,
    ...enclaveMethods({
      keyStore,
      nsm,
      identity,
      credentials: options.credentials,
      accountPolicy: (address) => (syncGovernance(address as Hex), policy.attestationEntry(address as Hex)),
    }),
    ...keyMethods({
      keyStore,
      nsm,
      identity,
      ...(options.vault ? { vault: options.vault } : {}),
      ...(options.random ? { random: options.random } : {}),
      accountPolicy,
    }),
    ...signingMethods({ keyStore, policy }),
  };
}
