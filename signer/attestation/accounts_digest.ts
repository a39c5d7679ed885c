import { isHexAddress } from "../protocol/params/parse_address.ts";

/**
 * One account a signer serves and the policy that governs it, as the attestation binds them: `policy` is
 * `"unrestricted"` (a key without admins), `"none"` (governed, no policy in force: it signs nothing) or the
 * 0x-prefixed SHA-256 digest of the policy document in force (signer/policy/policy_digest.ts).
 */
export type AccountEntry = { readonly address: string; readonly policy: string };

const POLICY = /^(unrestricted|none|0x[0-9a-f]{64})$/;

/**
 * The digest of the accounts a signer serves and of each one's policy, bound into its attestation documents as
 * `user_data`, so a client that verifies a document also learns which accounts the attested enclave holds and
 * which policy governs each (DESIGN §10): SHA-256 of the UTF-8 of one line per account, `<address> <policy>` with
 * the address in lowercase 0x hex and the policy as in `AccountEntry`, the lines sorted and joined with "\n" (the
 * empty string for no account). An address alone counts as `unrestricted`.
 *
 * @example
 * ```ts
 * const userData = await accountsDigest([{ address: "0xAb…", policy: "unrestricted" }, { address: "0x12…", policy: "0x5e…" }]);
 * ```
 */
export async function accountsDigest(accounts: readonly (AccountEntry | string)[]): Promise<Uint8Array> {
  const lines = accounts.map((entry) => {
    const { address, policy } = typeof entry === "string" ? { address: entry, policy: "unrestricted" } : entry;
    if (!isHexAddress(address)) throw new TypeError(`Cannot digest accounts: ${address} is not an address`);
    if (!POLICY.test(policy)) throw new TypeError(`Cannot digest accounts: ${policy} is not unrestricted, none or a 0x digest`);
    return `${address.toLowerCase()} ${policy}`;
  });
  const text = lines.sort().join("\n");
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}
