import { generatePrivateKey } from "../keys/generate_private_key.ts";
import { keyEncryptionContext } from "../keys/key_encryption_context.ts";
import { KeyOperationError, KeyRecordRefusedError } from "../keys/key_errors.ts";
import { parseGovernance, sameGovernance } from "../keys/parse_governance.ts";
import { KmsError } from "../kms/kms_errors.ts";
import type { KeyStore } from "../keys/key_store.ts";
import { addressOf } from "../keys/key_store.ts";
import type { KeyVault } from "../keys/key_vault.ts";
import type { EnclaveKeyPair } from "../keys/create_enclave_key_pair.ts";
import type { Nsm } from "../nsm/nsm.ts";
import { base64ToBytes, bytesToBase64 } from "../../common/mod.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { AccountPolicy, GovernanceParams, Hex, SignerMethods } from "../protocol/messages.ts";
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
  /**
   * Which policy governs a held account, for keys.list (the policy engine's answer). @default from the key's
   * governance alone: `{ kind: "unrestricted" }`, or `{ kind: "none", governance }` for a governed key
   */
  accountPolicy?: (address: Hex) => AccountPolicy;
};

/**
 * The `keys.*` methods (DESIGN §6, §10). Plaintext keys exist only here: generated from NSM + WebCrypto entropy or
 * unsealed from an import, encrypted with KMS under an EncryptionContext that binds the address and the key's
 * governance (admins, threshold), and decrypted only through KMS Recipient (attestation-bound), so a record whose
 * governance was edited does not open. Replies carry addresses and ciphertexts, never a key.
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
  const seal = async (key: Uint8Array, kmsKeyId: string | undefined, label: string | undefined, governance: GovernanceParams | undefined) => {
    const address = addressOf(key);
    if (keyStore.has(address) && !sameGovernance(keyStore.governance(address), governance)) {
      key.fill(0);
      throw new KeyOperationError(ErrorCode.invalidParams, `Cannot add key: ${address} is already held with other governance (unload it first)`);
    }
    let ciphertext: string | undefined;
    if (kmsKeyId !== undefined) {
      const vault = requireVault(deps.vault);
      try {
        const encryptionContext = keyEncryptionContext(address, governance);
        ciphertext = bytesToBase64(await vault.encrypt({ keyId: kmsKeyId, plaintext: key, encryptionContext }));
      } catch (error) {
        key.fill(0);
        throw error;
      }
    }
    keyStore.add(key, { ...(label === undefined ? {} : { label }), ...(governance === undefined ? {} : { governance }) });
    return { address, ...(ciphertext === undefined ? {} : { ciphertext }), ...(governance === undefined ? {} : { governance }) };
  };

  return {
    "keys.generate": async (params) => {
      const p = paramsRecord(params);
      const label = labelParam(p);
      const kmsKeyId = optionalKeyId(p);
      const governance = optionalGovernance(p);
      const key = await generatePrivateKey({ nsmRandom: () => deps.nsm.getRandom(), ...(deps.random ? { random: deps.random } : {}) });
      return seal(key, kmsKeyId, label, governance);
    },
    "keys.import": async (params) => {
      const p = paramsRecord(params);
      const label = labelParam(p);
      const kmsKeyId = optionalKeyId(p);
      const governance = optionalGovernance(p);
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
        return await seal(key, kmsKeyId, label, governance);
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
      const governance = optionalGovernance(p);
      const ciphertext = fromBase64(p.ciphertext, "ciphertext");
      if (keyStore.has(address)) {
        // Held already (a periodic reload): the governance in memory was verified by KMS; a record that differs is refused.
        if (!sameGovernance(keyStore.governance(address), governance)) {
          throw new KeyRecordRefusedError(address, "it differs from the governance the key is held with");
        }
        return { address: keyStore.get(address).address };
      }
      let key: Uint8Array;
      try {
        key = await requireVault(deps.vault).decrypt({ ciphertext, encryptionContext: keyEncryptionContext(address, governance) });
      } catch (error) {
        // KMS authenticates the EncryptionContext: under another address or governance the ciphertext does not open.
        if (error instanceof KmsError && error.awsErrorName === "InvalidCiphertextException") {
          throw new KeyRecordRefusedError(address, "KMS refused the ciphertext under the record's address and governance", { cause: error });
        }
        throw error;
      }
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
      return { address: keyStore.add(key, { ...(label === undefined ? {} : { label }), ...(governance === undefined ? {} : { governance }) }) };
    },
    "keys.unload": (params) => ({ removed: keyStore.remove(addressParam(paramsRecord(params))) }),
    "keys.list": () =>
      keyStore.list().map(({ address, label, governance }) => ({
        address,
        ...(label === undefined ? {} : { label }),
        policy: deps.accountPolicy ? deps.accountPolicy(address) : defaultAccountPolicy(governance),
      })),
  };
}

/** What keys.list says without a policy engine: unrestricted, or governed with no policy in force. */
function defaultAccountPolicy(governance: GovernanceParams | undefined): AccountPolicy {
  return governance === undefined ? { kind: "unrestricted" } : { kind: "none", governance };
}

function optionalGovernance(p: Record<string, unknown>): GovernanceParams | undefined {
  return p.governance === undefined ? undefined : parseGovernance(p.governance);
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
