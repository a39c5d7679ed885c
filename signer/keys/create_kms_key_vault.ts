import type { Nsm } from "../nsm/nsm.ts";
import type { KmsClient } from "../kms/kms_client.ts";
import { kmsDecryptForRecipient } from "../kms/kms_decrypt_for_recipient.ts";
import { kmsEncrypt } from "../kms/kms_encrypt.ts";
import type { EnclaveKeyPair } from "./create_enclave_key_pair.ts";
import type { KeyVault } from "./key_vault.ts";

/**
 * The signer's KeyVault on AWS KMS (DESIGN §6): Encrypt as is; Decrypt always with a Recipient, a fresh
 * attestation document carrying the enclave's RSA public key, so KMS checks the image's PCRs against the key
 * policy and answers with the plaintext encrypted to a key that never leaves this enclave's WebCrypto.
 * `client` is called per operation, so a region or credentials change takes effect at once.
 *
 * @example
 * ```ts
 * const vault = createKmsKeyVault({ client: () => kms, nsm, identity });
 * ```
 */
export function createKmsKeyVault(deps: { client: () => KmsClient; nsm: Pick<Nsm, "attest">; identity: EnclaveKeyPair }): KeyVault {
  return {
    encrypt: ({ keyId, plaintext, encryptionContext }) => kmsEncrypt(deps.client(), { keyId, plaintext, encryptionContext }),
    async decrypt({ ciphertext, encryptionContext }) {
      const attestationDocument = await deps.nsm.attest({ publicKey: deps.identity.publicKeySpki });
      return kmsDecryptForRecipient(deps.client(), {
        ciphertext,
        encryptionContext,
        attestationDocument,
        privateKey: deps.identity.privateKey,
      });
    },
  };
}
