import {
  CreateSecretCommand,
  GetSecretValueCommand,
  paginateListSecrets,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ENCRYPTION_CONTEXT_APP } from "../../signer/mod.ts";
import { keySecretName, parseKeyRecord, POLICY_SECRET_FOLDER, type KeyRecord } from "./key_record.ts";

export type KeyRecordStore = {
  /** Stores a new record (a secret named `<prefix><address>`, tagged with the address). */
  put(record: KeyRecord): Promise<void>;
  /**
   * Every record under the prefix, with the names of secrets that could not be read or parsed. The policy
   * documents stored beside them (`<prefix>policy/…`) are not key records and are skipped.
   */
  list(): Promise<{ records: KeyRecord[]; failed: { name: string; error: string }[] }>;
};

/**
 * Key records in AWS Secrets Manager under one name prefix (DESIGN §6), through the real SDK client (pointed at
 * AWS, or at the local stand-in by its endpoint).
 *
 * @example
 * ```ts
 * const store = createKeyRecordStore(new SecretsManagerClient({ region }), "nitro-signer/keys/");
 * const { records } = await store.list();
 * ```
 */
export function createKeyRecordStore(client: SecretsManagerClient, prefix: string): KeyRecordStore {
  if (!/^[\w/+=.@-]{1,256}$/.test(prefix)) throw new TypeError(`Invalid secret prefix ${JSON.stringify(prefix)}`);
  return {
    async put(record) {
      const tags = [{ Key: "address", Value: record.address }, { Key: "app", Value: ENCRYPTION_CONTEXT_APP }];
      if (record.label) tags.push({ Key: "label", Value: record.label });
      await client.send(new CreateSecretCommand({
        Name: keySecretName(prefix, record.address),
        SecretString: JSON.stringify(record),
        Description: `Ethereum key ${record.address}, encrypted by KMS; opens only inside the attested signer enclave`,
        Tags: tags,
      }));
    },
    async list() {
      const names: string[] = [];
      for await (const page of paginateListSecrets({ client }, { Filters: [{ Key: "name", Values: [prefix] }] })) {
        for (const secret of page.SecretList ?? []) {
          if (secret.Name?.startsWith(prefix) && !secret.Name.startsWith(`${prefix}${POLICY_SECRET_FOLDER}`)) names.push(secret.Name);
        }
      }
      const records: KeyRecord[] = [];
      const failed: { name: string; error: string }[] = [];
      for (const name of names.sort()) {
        try {
          const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: name }));
          const record = parseKeyRecord(SecretString ?? "");
          if (keySecretName(prefix, record.address) !== name) throw new TypeError("record address does not match the secret name");
          records.push(record);
        } catch (error) {
          failed.push({ name, error: (error as Error).name === "TypeError" ? (error as Error).message : String((error as Error).name) });
        }
      }
      return { records, failed };
    },
  };
}
