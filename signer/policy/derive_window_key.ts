/** The label the window-record MAC key is derived over (docs/fleet-state.md). */
export const WINDOW_KEY_LABEL = "nitro-signer window-state v1";

const HMAC_SHA256 = { name: "HMAC", hash: "SHA-256" } as const;

/**
 * The key that authenticates an account's window records (issue 13, docs/fleet-state.md): HMAC-SHA-256 keyed with
 * the account's private key over `nitro-signer window-state v1` (RFC 2104), imported as a non-extractable WebCrypto
 * HMAC key. Only an enclave holding the account's key can make it. The derived bytes are zeroed once imported; the
 * caller zeroes `privateKey` (its own copy) once the promise settles.
 *
 * @example
 * ```ts
 * const copy = privateKey.slice();
 * const key = await deriveWindowKey(copy).finally(() => copy.fill(0));
 * ```
 */
export async function deriveWindowKey(privateKey: Uint8Array): Promise<CryptoKey> {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32) throw new TypeError("Cannot derive window key: expected a 32-byte private key");
  const base = await crypto.subtle.importKey("raw", privateKey as Uint8Array<ArrayBuffer>, HMAC_SHA256, false, ["sign"]);
  const derived = new Uint8Array(await crypto.subtle.sign("HMAC", base, new TextEncoder().encode(WINDOW_KEY_LABEL)));
  try {
    return await crypto.subtle.importKey("raw", derived, HMAC_SHA256, false, ["sign", "verify"]);
  } finally {
    derived.fill(0);
  }
}
