import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { GovernanceParams } from "../../signer/mod.ts";
import { createKeyRecord } from "./key_record.ts";
import { createKeyRecordStore } from "./key_record_store.ts";

/**
 * Stores the record of a key the signer has just encrypted under KMS (`keys.generate` / `keys.import` with a
 * `kmsKeyId`), with the governance the signer sealed into it, refusing an answer without a ciphertext: a key
 * without a record would be lost at the next restart.
 *
 * @example
 * ```ts
 * await storeKeyRecord(deps, await signer.request("keys.generate", { kmsKeyId }), { label: "hot" });
 * ```
 */
export async function storeKeyRecord(
  deps: { secrets: SecretsManagerClient; prefix: string; kmsKeyId: string },
  sealed: { address: `0x${string}`; ciphertext?: string; governance?: GovernanceParams },
  options: { label?: string } = {},
): Promise<void> {
  if (!sealed.ciphertext) throw new Error("Cannot store key: the signer returned no ciphertext");
  await createKeyRecordStore(deps.secrets, deps.prefix).put(createKeyRecord({
    address: sealed.address,
    ciphertext: sealed.ciphertext,
    kmsKeyId: deps.kmsKeyId,
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(sealed.governance === undefined ? {} : { governance: sealed.governance }),
  }));
}
