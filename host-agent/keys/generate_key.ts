import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { GovernanceParams, SignerClient } from "../../signer/mod.ts";
import { storeKeyRecord } from "./store_key_record.ts";

/**
 * Has the signer make a key inside the enclave (NSM + WebCrypto entropy, KMS-encrypted there) and stores the
 * returned record; the parent only ever sees the address and the ciphertext. The key is served at once. With
 * `governance`, its admins and threshold are sealed with it (the signer returns them canonical: lowercase, sorted).
 *
 * @example
 * ```ts
 * const { address } = await generateKey({ signer, secrets, prefix, kmsKeyId }, { label: "hot" });
 * ```
 */
export async function generateKey(
  deps: { signer: SignerClient; secrets: SecretsManagerClient; prefix: string; kmsKeyId: string },
  options: { label?: string; governance?: GovernanceParams } = {},
): Promise<{ address: `0x${string}`; governance?: GovernanceParams }> {
  const sealed = await deps.signer.request("keys.generate", {
    kmsKeyId: deps.kmsKeyId,
    ...(options.label === undefined ? {} : { label: options.label }),
    ...(options.governance === undefined ? {} : { governance: options.governance }),
  });
  await storeKeyRecord(deps, sealed, options.label === undefined ? {} : { label: options.label });
  return { address: sealed.address, ...(sealed.governance === undefined ? {} : { governance: sealed.governance }) };
}
