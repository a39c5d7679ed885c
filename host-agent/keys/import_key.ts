import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { GovernanceParams, SignerClient, VerifyAttestationDocumentOptions } from "../../signer/mod.ts";
import { assertPrivateKeyHex, sealKey } from "./seal_key.ts";
import { storeKeyRecord } from "./store_key_record.ts";

export type ImportKeyOptions = {
  label?: string;
  /** Admins and threshold to seal with the key; absent: unrestricted. */
  governance?: GovernanceParams;
  /** How to verify the signer's attestation: pinned roots (default AWS's), expected PCRs, time. */
  verify?: Omit<VerifyAttestationDocumentOptions, "expect"> & { pcrs?: Record<number, string | Uint8Array> };
};

/** The imported account, and the governance sealed with it (absent: unrestricted). */
export type ImportedKey = { address: `0x${string}`; governance?: GovernanceParams };

type ImportKeyDeps = { signer: SignerClient; secrets: SecretsManagerClient; prefix: string; kmsKeyId: string };

/**
 * Imports an existing private key given in plaintext to this process: asks the signer for an attestation with a
 * fresh nonce, seals the key to it here (`sealKey`: chain, nonce, expected PCRs verified first) and imports the
 * sealed bytes (`importSealedKey`). The key bytes are zeroed. Where this process runs on the parent instance, the
 * parent sees the key: seal it elsewhere with `host-agent keys seal` and import that with `importSealedKey`.
 *
 * @example
 * ```ts
 * const { address } = await importKey(deps, privateKeyHex, { verify: { roots: [rootPem], pcrs: { 0: pcr0 } } });
 * ```
 */
export async function importKey(deps: ImportKeyDeps, privateKeyHex: string, options: ImportKeyOptions = {}): Promise<ImportedKey> {
  assertPrivateKeyHex(privateKeyHex, "import"); // before asking the signer anything
  const nonce = crypto.getRandomValues(new Uint8Array(32));
  const { document } = await deps.signer.request("attest", { nonce });
  const { sealed } = await sealKey(document, privateKeyHex, { ...options.verify, nonce });
  return importSealedKey(deps, sealed, {
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.governance === undefined ? {} : { governance: options.governance }),
  });
}

/**
 * Imports a key sealed to this signer (`sealKey`): the signer opens it inside the enclave, encrypts it under KMS,
 * and the record is stored; the key is served at once. The parent only ever handles the sealed bytes.
 *
 * @example
 * ```ts
 * const { address } = await importSealedKey(deps, sealed, { label: "treasury" });
 * ```
 */
export async function importSealedKey(
  deps: ImportKeyDeps,
  sealed: Uint8Array,
  options: { label?: string; governance?: GovernanceParams } = {},
): Promise<ImportedKey> {
  const imported = await deps.signer.request("keys.import", {
    sealed,
    kmsKeyId: deps.kmsKeyId,
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.governance === undefined ? {} : { governance: options.governance }),
  });
  await storeKeyRecord(deps, imported, options.label === undefined ? {} : { label: options.label });
  return { address: imported.address, ...(imported.governance === undefined ? {} : { governance: imported.governance }) };
}
