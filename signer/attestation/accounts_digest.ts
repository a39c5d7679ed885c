import { isHexAddress } from "../protocol/params/parse_address.ts";

/**
 * The digest of the accounts a signer serves, bound into its attestation documents as `user_data`, so a client
 * that verifies a document also learns which accounts the attested enclave holds:
 * SHA-256 of the UTF-8 of the lowercase 0x addresses, sorted, joined with "\n" (the empty string for none).
 *
 * @example
 * ```ts
 * const userData = await accountsDigest(["0xAb…", "0x12…"]);
 * ```
 */
export async function accountsDigest(addresses: readonly string[]): Promise<Uint8Array> {
  for (const a of addresses) {
    if (!isHexAddress(a)) throw new TypeError(`Cannot digest accounts: ${a} is not an address`);
  }
  const text = addresses.map((a) => a.toLowerCase()).sort().join("\n");
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
