import {
  CreateSecretCommand,
  GetSecretValueCommand,
  paginateListSecrets,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from "@aws-sdk/client-secrets-manager";
import { ENCRYPTION_CONTEXT_APP } from "../../signer/mod.ts";
import { POLICY_SECRET_FOLDER } from "../keys/key_record.ts";
import { parsePolicyRecord, policyDocumentAccount, policySecretName, type PolicyRecord } from "./policy_record.ts";

export type StoredPolicy = { address: `0x${string}`; record: PolicyRecord };

export type PolicyRecordStore = {
  /** Stores an account's policy: creates its secret, or puts a new version of it. */
  put(address: `0x${string}`, record: PolicyRecord): Promise<void>;
  /** The stored policy of an account, or undefined. */
  get(address: `0x${string}`): Promise<PolicyRecord | undefined>;
  /** Every stored policy, with the names of secrets that could not be read or parsed. */
  list(): Promise<{ policies: StoredPolicy[]; failed: { name: string; error: string }[] }>;
};

/**
 * Approved policy documents in AWS Secrets Manager, one secret per account beside the key records:
 * `<prefix>policy/<address>` holding `{ version: 1, document, approvals }` (issue 12). The store only carries
 * them: the signer checks the approvals on every `policy.apply`.
 *
 * @example
 * ```ts
 * const store = createPolicyRecordStore(secrets, "nitro-signer/keys/");
 * await store.put(address, { version: 1, document, approvals });
 * ```
 */
export function createPolicyRecordStore(client: SecretsManagerClient, prefix: string): PolicyRecordStore {
  if (!/^[\w/+=.@-]{1,256}$/.test(prefix)) throw new TypeError(`Invalid secret prefix ${JSON.stringify(prefix)}`);
  const folder = `${prefix}${POLICY_SECRET_FOLDER}`;
  return {
    async put(address, record) {
      const name = policySecretName(prefix, address);
      const text = JSON.stringify(parsePolicyRecord(JSON.stringify(record)));
      try {
        await client.send(new CreateSecretCommand({
          Name: name,
          SecretString: text,
          Description: `Approved signing policy of ${address}; checked by the signer enclave on every load`,
          Tags: [{ Key: "address", Value: address }, { Key: "app", Value: ENCRYPTION_CONTEXT_APP }, { Key: "kind", Value: "policy" }],
        }));
      } catch (error) {
        if ((error as Error).name !== "ResourceExistsException") throw error;
        await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: text }));
      }
    },
    async get(address) {
      try {
        const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: policySecretName(prefix, address) }));
        return parsePolicyRecord(SecretString ?? "");
      } catch (error) {
        if ((error as Error).name === "ResourceNotFoundException") return undefined;
        throw error;
      }
    },
    async list() {
      const names: string[] = [];
      for await (const page of paginateListSecrets({ client }, { Filters: [{ Key: "name", Values: [folder] }] })) {
        for (const secret of page.SecretList ?? []) if (secret.Name?.startsWith(folder)) names.push(secret.Name);
      }
      const policies: StoredPolicy[] = [];
      const failed: { name: string; error: string }[] = [];
      for (const name of names.sort()) {
        try {
          const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: name }));
          const record = parsePolicyRecord(SecretString ?? "");
          const address = policyDocumentAccount(record.document);
          if (policySecretName(prefix, address) !== name) throw new TypeError("the document's account does not match the secret name");
          policies.push({ address, record });
        } catch (error) {
          failed.push({ name, error: (error as Error).name === "TypeError" ? (error as Error).message : String((error as Error).name) });
        }
      }
      return { policies, failed };
    },
  };
}
