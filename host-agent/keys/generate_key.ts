import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SignerClient } from "../../signer/protocol/create_signer_client.ts";
import { createKeyRecord } from "./key_record.ts";
import { createKeyRecordStore } from "./key_record_store.ts";

/**
 * Has the signer make a key inside the enclave (NSM + WebCrypto entropy, KMS-encrypted there) and stores the
 * returned record; the parent only ever sees the address and the ciphertext. The key is served at once.
 *
 * @example
 * ```ts
 * const { address } = await generateKey({ signer, secrets, prefix, kmsKeyId }, { label: "hot" });
 * ```
 */
export async function generateKey(
  deps: { signer: SignerClient; secrets: SecretsManagerClient; prefix: string; kmsKeyId: string },
  options: { label?: string } = {},
): Promise<{ address: `0x${string}` }> {
  const { address, ciphertext } = await deps.signer.request("keys.generate", {
    kmsKeyId: deps.kmsKeyId,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
  if (!ciphertext) throw new Error("Cannot store key: the signer returned no ciphertext");
  await createKeyRecordStore(deps.secrets, deps.prefix).put(
    createKeyRecord({ address, ciphertext, kmsKeyId: deps.kmsKeyId, ...(options.label === undefined ? {} : { label: options.label }) }),
  );
  return { address };
}
