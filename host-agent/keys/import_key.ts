import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { hexToBytes } from "viem";
import { verifyAttestationDocument, type VerifyAttestationDocumentOptions } from "../../signer/attestation/verify_attestation_document.ts";
import type { SignerClient } from "../../signer/protocol/create_signer_client.ts";
import { storeKeyRecord } from "./store_key_record.ts";

export type ImportKeyOptions = {
  label?: string;
  /** How to verify the signer's attestation: pinned roots (default AWS's), expected PCRs, time. */
  verify?: Omit<VerifyAttestationDocumentOptions, "expect"> & { pcrs?: Record<number, string | Uint8Array> };
};

/**
 * Imports an existing private key so that the parent never sees it (DESIGN §6): asks the signer for an
 * attestation with a fresh nonce, verifies it (chain to the pinned root, nonce, expected PCRs), seals the key
 * with RSA-OAEP (SHA-256) to the attested public key on this side, and sends only the sealed bytes. The signer
 * encrypts it under KMS; the record is stored and the key is served at once. The key bytes are zeroed.
 *
 * @example
 * ```ts
 * const { address } = await importKey(deps, privateKeyHex, { verify: { roots: [rootPem], pcrs: { 0: pcr0 } } });
 * ```
 */
export async function importKey(
  deps: { signer: SignerClient; secrets: SecretsManagerClient; prefix: string; kmsKeyId: string },
  privateKeyHex: string,
  options: ImportKeyOptions = {},
): Promise<{ address: `0x${string}` }> {
  if (!/^0x[0-9a-fA-F]{64}$/.test(privateKeyHex.trim())) throw new TypeError("Cannot import key: expected 0x followed by 64 hex digits");
  const key = hexToBytes(privateKeyHex.trim() as `0x${string}`);
  try {
    const nonce = crypto.getRandomValues(new Uint8Array(32));
    const { document } = await deps.signer.request("attest", { nonce });
    const { pcrs, ...verify } = options.verify ?? {};
    const attested = await verifyAttestationDocument(document, { ...verify, expect: { nonce, ...(pcrs ? { pcrs } : {}) } });
    if (!attested.publicKey) throw new Error("Cannot import key: the attestation carries no public key");
    const publicKey = await crypto.subtle.importKey("spki", attested.publicKey as Uint8Array<ArrayBuffer>, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, publicKey, key as Uint8Array<ArrayBuffer>));
    const imported = await deps.signer.request("keys.import", {
      sealed,
      kmsKeyId: deps.kmsKeyId,
      ...(options.label === undefined ? {} : { label: options.label }),
    });
    await storeKeyRecord(deps, imported, options);
    return { address: imported.address };
  } finally {
    key.fill(0);
  }
}
