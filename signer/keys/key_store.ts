import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToHex, getAddress } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import type { AccountInfo, Hex } from "../protocol/messages.ts";
import { UnknownAccountError } from "../signing/signing_errors.ts";
import { createInlineSigningPool } from "../workers/create_inline_signing_pool.ts";
import type { SigningRequest, SigningResult } from "../workers/sign_request.ts";
import type { SigningPool } from "../workers/signing_pool.ts";

/** A held account. The private key is not here: it lives in the signing pool's threads. */
export type KeyEntry = { readonly address: Hex; readonly label?: string };

export type KeyStore = {
  /** Adds a key (the store takes ownership of the bytes and hands them to the signing pool) and returns its checksummed address. */
  add(privateKey: Uint8Array, options?: { label?: string }): Hex;
  /** The account for an address (any case), or UnknownAccountError. */
  get(address: string): KeyEntry;
  has(address: string): boolean;
  list(): AccountInfo[];
  /** Removes a key; every copy of its bytes is zeroed. Returns whether it was present. */
  remove(address: string): boolean;
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
      pool.addKey(address, privateKey);
      keys.set(address.toLowerCase(), options.label === undefined ? { address } : { address, label: options.label });
      return address;
    },
    get,
    has: (address) => keys.has(address.toLowerCase()),
    list: () => [...keys.values()].map(({ address, label }) => (label === undefined ? { address } : { address, label })),
    remove(address) {
      const entry = keys.get(address.toLowerCase());
      if (!entry) return false;
      pool.removeKey(entry.address);
      return keys.delete(address.toLowerCase());
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

/** The checksummed Ethereum address of a private key. */
export function addressOf(privateKey: Uint8Array): Hex {
  return getAddress(publicKeyToAddress(bytesToHex(secp256k1.getPublicKey(privateKey, false))));
}
