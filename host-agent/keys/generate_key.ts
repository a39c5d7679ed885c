import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SignerClient } from "../../signer/mod.ts";
import { storeKeyRecord } from "./store_key_record.ts";

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
  const sealed = await deps.signer.request("keys.generate", {
    kmsKeyId: deps.kmsKeyId,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
  await storeKeyRecord(deps, sealed, options);
  return { address: sealed.address };
}
