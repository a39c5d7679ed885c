/**
 * What the key methods need from KMS (DESIGN §6), as one small type so the methods can be tested with any
 * implementation: `create_kms_key_vault.ts` talks to KMS over TLS inside the signer, with attestation-bound decrypt.
 */
export type KeyVault = {
  /** KMS Encrypt: returns the ciphertext blob. */
  encrypt(input: { keyId: string; plaintext: Uint8Array; encryptionContext: Record<string, string> }): Promise<Uint8Array>;
  /** KMS Decrypt with Recipient: the plaintext exists only inside the signer. */
  decrypt(input: { ciphertext: Uint8Array; encryptionContext: Record<string, string> }): Promise<Uint8Array>;
};
