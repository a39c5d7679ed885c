import type { SignerClient } from "../../signer/mod.ts";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { createKeyRecordStore } from "./key_record_store.ts";

export type LoadAllKeysReturnType = { loaded: string[]; failed: { name: string; error: string }[] };

/**
 * Loads every key record under the store's prefix into the signer (`keys.load`: KMS Decrypt with Recipient
 * inside the enclave, under the record's address and governance). Run after every signer (re)start; a record that
 * fails (e.g. KEY_RECORD_REFUSED: its governance was edited) is reported, its key not served, and the rest go on.
 *
 * @example
 * ```ts
 * const { loaded, failed } = await loadAllKeys({ signer, secrets: new SecretsManagerClient({ region }), prefix });
 * ```
 */
export async function loadAllKeys(deps: { signer: SignerClient; secrets: SecretsManagerClient; prefix: string }): Promise<LoadAllKeysReturnType> {
  const { records, failed } = await createKeyRecordStore(deps.secrets, deps.prefix).list();
  const loaded: string[] = [];
  for (const record of records) {
    try {
      const { address } = await deps.signer.request("keys.load", {
        address: record.address,
        ciphertext: record.ciphertext,
        ...(record.label === undefined ? {} : { label: record.label }),
        ...(record.governance === undefined ? {} : { governance: record.governance }),
      });
      loaded.push(address);
    } catch (error) {
      failed.push({ name: record.address, error: `${(error as { code?: string }).code ?? "ERROR"}: ${(error as Error).message}` });
    }
  }
  return { loaded, failed };
}
