import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToHex, getAddress } from "viem";
import { publicKeyToAddress } from "viem/accounts";
import type { AccountInfo, Hex } from "../protocol/messages.ts";
import { UnknownAccountError } from "../signing/signing_errors.ts";

export type KeyEntry = { readonly address: Hex; readonly privateKey: Uint8Array; readonly label?: string };

export type KeyStore = {
  /** Adds a key (the store takes ownership of the bytes) and returns its checksummed address. */
  add(privateKey: Uint8Array, options?: { label?: string }): Hex;
  /** The key for an address (any case), or UnknownAccountError. */
  get(address: string): KeyEntry;
  has(address: string): boolean;
  list(): AccountInfo[];
  /** Removes a key and zeroes its bytes. Returns whether it was present. */
  remove(address: string): boolean;
};

/**
 * The signer's in-memory key store (DESIGN §4: keys live only in memory, reloaded by the host-agent after a
 * restart). Keys are held as bytes so they can be zeroed on removal.
 *
 * @example
 * ```ts
 * const store = createKeyStore();
 * const address = store.add(crypto.getRandomValues(new Uint8Array(32)));
 * ```
 */
export function createKeyStore(): KeyStore {
  const keys = new Map<string, KeyEntry>();
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
      keys.set(address.toLowerCase(), options.label === undefined ? { address, privateKey } : { address, privateKey, label: options.label });
      return address;
    },
    get(address) {
      const entry = keys.get(address.toLowerCase());
      if (!entry) throw new UnknownAccountError(address);
      return entry;
    },
    has: (address) => keys.has(address.toLowerCase()),
    list: () => [...keys.values()].map(({ address, label }) => (label === undefined ? { address } : { address, label })),
    remove(address) {
      const entry = keys.get(address.toLowerCase());
      if (!entry) return false;
      entry.privateKey.fill(0);
      return keys.delete(address.toLowerCase());
    },
  };
}

/** The checksummed Ethereum address of a private key. */
export function addressOf(privateKey: Uint8Array): Hex {
  return getAddress(publicKeyToAddress(bytesToHex(secp256k1.getPublicKey(privateKey, false))));
}
