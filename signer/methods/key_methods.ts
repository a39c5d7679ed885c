import { generatePrivateKey } from "../keys/generate_private_key.ts";
import { keyEncryptionContext } from "../keys/key_encryption_context.ts";
import { KeyOperationError } from "../keys/key_errors.ts";
import type { KeyStore } from "../keys/key_store.ts";
import { addressOf } from "../keys/key_store.ts";
import type { KeyVault } from "../keys/key_vault.ts";
import type { EnclaveKeyPair } from "../keys/create_enclave_key_pair.ts";
import type { Nsm } from "../nsm/nsm.ts";
import { base64ToBytes, bytesToBase64 } from "../../common/mod.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { addressParam, labelParam, paramsRecord } from "./method_helpers.ts";

type Handler<M extends keyof SignerMethods> = (params: unknown) => Promise<SignerMethods[M]["result"]> | SignerMethods[M]["result"];

export type KeyMethodsDeps = {
  keyStore: KeyStore;
  nsm: Pick<Nsm, "getRandom">;
  identity: Pick<EnclaveKeyPair, "privateKey">;
  /** KMS; without it keys.generate makes memory-only keys and keys.load/import are refused. */
  vault?: KeyVault;
  random?: (bytes: Uint8Array) => Uint8Array;
};

/**
 * The `keys.*` methods (DESIGN §6). Plaintext keys exist only here: generated from NSM + WebCrypto entropy or
 * unsealed from an import, encrypted with KMS under an EncryptionContext that binds the address, and decrypted
 * only through KMS Recipient (attestation-bound). Replies carry addresses and ciphertexts, never a key.
 *
 * @example
 * ```ts
 * const { address, ciphertext } = await keyMethods(deps)["keys.generate"]({ kmsKeyId, label: "hot" });
 * ```
 */
export function keyMethods(deps: KeyMethodsDeps): {
  "keys.generate": Handler<"keys.generate">;
  "keys.import": Handler<"keys.import">;
  "keys.load": Handler<"keys.load">;
  "keys.unload": Handler<"keys.unload">;
  "keys.list": Handler<"keys.list">;
} {
  const { keyStore } = deps;

  /** Encrypts a fresh or imported key under KMS, then serves it. Takes ownership of `key`. */
  const seal = async (key: Uint8Array, kmsKeyId: string | undefined, label: string | undefined) => {
    const address = addressOf(key);
    let ciphertext: string | undefined;
    if (kmsKeyId !== undefined) {
      const vault = requireVault(deps.vault);
      try {
        ciphertext = bytesToBase64(await vault.encrypt({ keyId: kmsKeyId, plaintext: key, encryptionContext: keyEncryptionContext(address) }));
      } catch (error) {
        key.fill(0);
        throw error;
      }
    }
    keyStore.add(key, label === undefined ? {} : { label });
    return ciphertext === undefined ? { address } : { address, ciphertext };
  };

  return {
    "keys.generate": async (params) => {
      const p = paramsRecord(params);
      const label = labelParam(p);
      const kmsKeyId = optionalKeyId(p);
      const key = await generatePrivateKey({ nsmRandom: () => deps.nsm.getRandom(), ...(deps.random ? { random: deps.random } : {}) });
      return seal(key, kmsKeyId, label);
    },
    "keys.import": async (params) => {
      const p = paramsRecord(params);
      const label = labelParam(p);
      const kmsKeyId = optionalKeyId(p);
      if (kmsKeyId === undefined) throw new InvalidParamsError("kmsKeyId", "is required: an imported key must be stored encrypted");
      if (!(p.sealed instanceof Uint8Array) || p.sealed.length !== 256) {
        throw new InvalidParamsError("sealed", "expected 256 bytes: the key encrypted with RSA-OAEP (SHA-256) to the attested public key");
      }
      let key: Uint8Array;
      try {
        key = new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, deps.identity.privateKey, p.sealed as Uint8Array<ArrayBuffer>));
      } catch (cause) {
        throw new KeyOperationError(ErrorCode.invalidParams, "Cannot unseal imported key: not encrypted to this signer's public key", { cause });
      }
      if (key.length !== 32) {
        key.fill(0);
        throw new KeyOperationError(ErrorCode.invalidParams, "Cannot import key: the sealed plaintext is not 32 bytes");
      }
      try {
        return await seal(key, kmsKeyId, label);
      } catch (error) {
        key.fill(0);
        if (error instanceof RangeError) throw new KeyOperationError(ErrorCode.invalidParams, "Cannot import key: not a valid secp256k1 private key");
        throw error;
      }
    },
    "keys.load": async (params) => {
      const p = paramsRecord(params);
      const address = addressParam(p);
      const label = labelParam(p);
      if (typeof p.ciphertext !== "string" || p.ciphertext.length === 0 || p.ciphertext.length > 8192) {
        throw new InvalidParamsError("ciphertext", "expected the record's base64 KMS ciphertext");
      }
      const ciphertext = fromBase64(p.ciphertext, "ciphertext");
      if (keyStore.has(address)) return { address: keyStore.get(address).address };
      const key = await requireVault(deps.vault).decrypt({ ciphertext, encryptionContext: keyEncryptionContext(address) });
      if (key.length !== 32) {
        key.fill(0);
        throw new KeyOperationError(ErrorCode.kms, "Cannot load key: KMS plaintext is not 32 bytes");
      }
      let derived: string;
      try {
        derived = addressOf(key);
      } catch {
        key.fill(0);
        throw new KeyOperationError(ErrorCode.kms, "Cannot load key: KMS plaintext is not a secp256k1 key");
      }
      if (derived.toLowerCase() !== address.toLowerCase()) {
        key.fill(0);
        throw new KeyOperationError(ErrorCode.invalidParams, `Cannot load key: the ciphertext holds the key of ${derived}, not ${address}`);
      }
      return { address: keyStore.add(key, label === undefined ? {} : { label }) };
    },
    "keys.unload": (params) => ({ removed: keyStore.remove(addressParam(paramsRecord(params))) }),
    "keys.list": () => keyStore.list(),
  };
}

function requireVault(vault: KeyVault | undefined): KeyVault {
  if (!vault) throw new KeyOperationError(ErrorCode.kms, "KMS is not configured in this signer");
  return vault;
}

function optionalKeyId(p: Record<string, unknown>): string | undefined {
  const { kmsKeyId } = p;
  if (kmsKeyId === undefined) return undefined;
  if (typeof kmsKeyId !== "string" || !/^[\w:/+=,.@-]{1,2048}$/.test(kmsKeyId)) throw new InvalidParamsError("kmsKeyId", "expected a KMS key id, ARN or alias");
  return kmsKeyId;
}

function fromBase64(text: string, field: string): Uint8Array {
  const bytes = base64ToBytes(text);
  if (!bytes) throw new InvalidParamsError(field, "not valid base64");
  return bytes;
}
