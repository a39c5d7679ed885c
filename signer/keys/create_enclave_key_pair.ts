/** The signer's RSA key pair for KMS Recipient and sealed imports (DESIGN §6). */
export type EnclaveKeyPair = {
  /** RSA-OAEP (SHA-256) private key, non-extractable: it never leaves WebCrypto. */
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
  /** SubjectPublicKeyInfo DER, the `public_key` of every attestation document. */
  readonly publicKeySpki: Uint8Array;
};

/**
 * Makes the RSA-2048 (e = 65537) RSA-OAEP SHA-256 key pair at boot. The private key is created
 * non-extractable, so no code path can export it.
 *
 * @example
 * ```ts
 * const identity = await createEnclaveKeyPair();
 * const document = await nsm.attest({ publicKey: identity.publicKeySpki });
 * ```
 */
export async function createEnclaveKeyPair(): Promise<EnclaveKeyPair> {
  const { privateKey, publicKey } = await crypto.subtle.generateKey(
    { name: "RSA-OAEP", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    false,
    ["encrypt", "decrypt"],
  );
  const publicKeySpki = new Uint8Array(await crypto.subtle.exportKey("spki", publicKey));
  return { privateKey, publicKey, publicKeySpki };
}
