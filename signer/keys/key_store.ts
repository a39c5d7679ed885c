import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToHex, getAddress } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import type { GovernanceParams, Hex } from "../protocol/messages.ts";
import { deriveWindowKey } from "../policy/derive_window_key.ts";
import { UnknownAccountError } from "../signing/signing_errors.ts";
import { createInlineSigningPool } from "../workers/create_inline_signing_pool.ts";
import type { SigningRequest, SigningResult } from "../workers/sign_request.ts";
import type { SigningPool } from "../workers/signing_pool.ts";

/**
 * A held account. The private key is not here: it lives in the signing pool's threads. `governance` is the admin
 * set and threshold sealed with the key (verified by KMS when it was loaded); absent, the key is unrestricted.
 */
export type KeyEntry = { readonly address: Hex; readonly label?: string; readonly governance?: GovernanceParams };

export type KeyStore = {
  /**
   * Adds a key (the store takes ownership of the bytes and hands them to the signing pool) and returns its
   * checksummed address. A key already held keeps its entry (label and governance): callers compare first.
   */
  add(privateKey: Uint8Array, options?: { label?: string; governance?: GovernanceParams }): Hex;
  /** The account for an address (any case), or UnknownAccountError. */
  get(address: string): KeyEntry;
  has(address: string): boolean;
  /** The governance a held key was sealed with, or undefined when it is unrestricted (or not held). */
  governance(address: string): GovernanceParams | undefined;
  /** Every held account with its label and governance. */
  list(): KeyEntry[];
  /** Removes a key; every copy of its bytes is zeroed and its window key forgotten. Returns whether it was present. */
  remove(address: string): boolean;
  /**
   * The key that authenticates the account's window records (fleet windows, docs/fleet-state.md): derived from the
   * private key when it was added (a non-extractable WebCrypto HMAC key; the copy of the key bytes used is zeroed
   * once derived). Rejects with UnknownAccountError when the key is not held.
   */
  windowKey(address: string): Promise<CryptoKey>;
  /** Signs with the key of `address` (any case), or rejects with UnknownAccountError. */
  sign<R extends SigningRequest>(address: string, request: R): Promise<SigningResult<R>>;
  /** Signing threads behind the store (0: signing runs in the calling thread). */
  readonly workers: number;
};

export type CreateKeyStoreOptions = {
  /** Where keys are held and used. @default createInlineSigningPool() (the calling thread) */
  pool?: SigningPool;
};

/**
 * The signer's in-memory key store (DESIGN §4: keys live only in memory, reloaded by the host-agent after a
 * restart). The store keeps the index of accounts; the key bytes go to the signing pool (worker threads, or
 * the calling thread), which zeroes them on removal.
 *
 * @example
 * ```ts
 * const store = createKeyStore({ pool: createWorkerSigningPool(spawnSigningWorkerDeno, { workers: 2 }) });
 * const address = store.add(crypto.getRandomValues(new Uint8Array(32)));
 * const { raw } = await store.sign(address, { kind: "transaction", transaction });
 * ```
 */
export function createKeyStore(options: CreateKeyStoreOptions = {}): KeyStore {
  const pool = options.pool ?? createInlineSigningPool();
  const keys = new Map<string, KeyEntry>();
  const windowKeys = new Map<string, Promise<CryptoKey>>();
  const get = (address: string) => {
    const entry = keys.get(address.toLowerCase());
    if (!entry) throw new UnknownAccountError(address);
    return entry;
  };
  return {
    add(privateKey, options = {}) {
      if (privateKey.length !== 32 || !secp256k1.utils.isValidPrivateKey(privateKey)) {
        throw new RangeError("Cannot add key: not a valid secp256k1 private key");
      }
      const address = addressOf(privateKey);
      const existing = keys.get(address.toLowerCase());
      if (existing) {
        privateKey.fill(0);
        return existing.address;
      }
      // The window key, from a copy: the pool takes the key bytes. The copy is zeroed once the derivation settles.
      const copy = privateKey.slice();
      const windowKey = deriveWindowKey(copy).finally(() => copy.fill(0));
      windowKey.catch(() => {}); // a failure surfaces to whoever asks for the key, not as an unhandled rejection
      pool.addKey(address, privateKey);
      windowKeys.set(address.toLowerCase(), windowKey);
      keys.set(address.toLowerCase(), {
        address,
        ...(options.label === undefined ? {} : { label: options.label }),
        ...(options.governance === undefined ? {} : { governance: copyGovernance(options.governance) }),
      });
      return address;
    },
    get,
    has: (address) => keys.has(address.toLowerCase()),
    governance(address) {
      const governance = keys.get(address.toLowerCase())?.governance;
      return governance === undefined ? undefined : copyGovernance(governance);
    },
    list: () =>
      [...keys.values()].map(({ address, label, governance }) => ({
        address,
        ...(label === undefined ? {} : { label }),
        ...(governance === undefined ? {} : { governance: copyGovernance(governance) }),
      })),
    remove(address) {
      const entry = keys.get(address.toLowerCase());
      if (!entry) return false;
      pool.removeKey(entry.address);
      windowKeys.delete(address.toLowerCase());
      return keys.delete(address.toLowerCase());
    },
    windowKey(address) {
      const key = windowKeys.get(address.toLowerCase());
      return key ?? Promise.reject(new UnknownAccountError(address));
    },
    sign(address, request) {
      try {
        return pool.sign(get(address).address, request);
      } catch (error) {
        return Promise.reject(error);
      }
    },
    workers: pool.workers,
  };
}

/** A copy callers cannot change the store's entry through. */
function copyGovernance(governance: GovernanceParams): GovernanceParams {
  return { admins: [...governance.admins], threshold: governance.threshold };
}

/** The checksummed Ethereum address of a private key. */
export function addressOf(privateKey: Uint8Array): Hex {
  return getAddress(publicKeyToAddress(bytesToHex(secp256k1.getPublicKey(privateKey, false))));
}
