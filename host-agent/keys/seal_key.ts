import { hexToBytes, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { verifyAttestationDocument, type VerifyAttestationDocumentOptions } from "../../signer/mod.ts";

export type SealKeyOptions = Omit<VerifyAttestationDocumentOptions, "expect"> & {
  /** The nonce the document must carry (the one asked for it with), so an old document cannot be replayed. */
  nonce: Uint8Array;
  /** Expected PCR values (at least PCR0: the approved image). */
  pcrs?: Record<number, string | Uint8Array>;
};

/**
 * Seals a private key to one running signer (DESIGN §6): verifies its attestation `document` (chain to the pinned
 * root, `nonce`, expected PCRs) and encrypts the 32 key bytes with RSA-OAEP (SHA-256) to the public key it
 * attests. Only that enclave, while it runs, can open the result (`keys.import`), so it can pass through the
 * parent instance. Runs anywhere: on the operator's machine with `host-agent keys seal`, or inside `importKey`.
 * The key bytes are zeroed; `address` is the account the key controls, for the operator to check.
 *
 * @example
 * ```ts
 * const { sealed, address } = await sealKey(document, privateKeyHex, { nonce, pcrs: { 0: pcr0 } });
 * ```
 */
export async function sealKey(document: Uint8Array, privateKeyHex: string, options: SealKeyOptions): Promise<{ sealed: Uint8Array; address: Hex }> {
  assertPrivateKeyHex(privateKeyHex, "seal");
  const { nonce, pcrs, ...verify } = options;
  const attested = await verifyAttestationDocument(document, { ...verify, expect: { nonce, ...(pcrs ? { pcrs } : {}) } });
  if (!attested.publicKey) throw new Error("Cannot seal key: the attestation carries no public key");
  const publicKey = await crypto.subtle.importKey("spki", attested.publicKey as Uint8Array<ArrayBuffer>, { name: "RSA-OAEP", hash: "SHA-256" }, false, ["encrypt"]);
  const key = hexToBytes(privateKeyHex.trim() as Hex);
  try {
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, publicKey, key as Uint8Array<ArrayBuffer>));
    return { sealed, address: privateKeyToAddress(privateKeyHex.trim() as Hex) };
  } finally {
    key.fill(0);
  }
}

/** Throws a one-line TypeError (never echoing the input) unless `text` is 0x and 64 hex digits, spaces around allowed. */
export function assertPrivateKeyHex(text: string, action: "seal" | "import"): void {
  if (!/^0x[0-9a-fA-F]{64}$/.test(text.trim())) throw new TypeError(`Cannot ${action} key: expected 0x followed by 64 hex digits`);
}
