import type { AccountPolicy, Hex, WindowUsageParams } from "../../signer/mod.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/** What `signer_policy` answers for one account. */
export type SignerPolicyResult = {
  account: Hex;
  /** `unrestricted` (no admins), `none` (governed, no policy in force: it signs nothing) or `policy`. */
  kind: AccountPolicy["kind"];
  governance: { admins: Hex[]; threshold: number } | null;
  digest: Hex | null;
  sequence: number | null;
  notAfter: string | null;
  /** The policy document in force, as approved. */
  document: unknown;
  /** Each limit's use of its rolling window in this signer (per instance). */
  windows: WindowUsageParams[];
};

/**
 * `signer_policy [address]`: the policy governing one of the signer's accounts, from the signer itself: its digest
 * (what the attestation binds), sequence, the document and how much of each limit's window is used.
 *
 * @example
 * ```ts
 * const { digest, document } = await signerPolicyRequest([from], context, scope);
 * ```
 */
export async function signerPolicyRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<SignerPolicyResult> {
  const account = await context.account(params[0], scope);
  const { accounts } = await context.signer.request("policy.describe", { address: account });
  const entry = accounts.find((a) => a.address.toLowerCase() === account.toLowerCase());
  const policy: AccountPolicy = entry?.policy ?? { kind: "unrestricted" };
  return {
    account,
    kind: policy.kind,
    governance: policy.kind === "unrestricted" ? null : policy.governance,
    digest: policy.kind === "policy" ? policy.digest : null,
    sequence: policy.kind === "policy" ? policy.sequence : null,
    notAfter: policy.kind === "policy" ? policy.notAfter : null,
    document: entry?.document === undefined ? null : JSON.parse(entry.document),
    windows: entry?.windows ?? [],
  };
}
