import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SignerClient } from "../../signer/mod.ts";

/** What the key commands need, however the system was found (local state dir or instance environment). */
export type HostContext = {
  signer: SignerClient;
  secrets: SecretsManagerClient;
  prefix: string;
  /** KMS key for new ciphertexts; absent, `keys generate/import` refuse. */
  kmsKeyId?: string;
  /** How to verify the signer's attestation before sealing a key to it. */
  verify: { roots?: string[]; pcrs?: Record<number, string> };
  close(): void;
};
