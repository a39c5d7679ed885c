import { recoverTypedDataAddress, type TypedDataDefinition } from "viem";
import type { Hex } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import type { Governance, PolicyDocument } from "./policy_types.ts";

/** The EIP-712 domain of policy approvals (issue 12): no chainId, no verifyingContract — valid on no chain. */
export const POLICY_APPROVAL_DOMAIN = { name: "nitro-eth-signer policy", version: "1" } as const;

export const POLICY_APPROVAL_TYPES = {
  PolicyApproval: [
    { name: "account", type: "address" },
    { name: "policyDigest", type: "bytes32" },
    { name: "sequence", type: "uint64" },
  ],
} as const;

/** At most this many approvals are looked at: recovering each costs a signature verification. */
export const MAX_POLICY_APPROVALS = 64;

export type PolicyApprovalTypedDataParameters = { readonly account: Hex; readonly digest: Hex; readonly sequence: number };
export type PolicyApprovalTypedDataReturnType = TypedDataDefinition<typeof POLICY_APPROVAL_TYPES, "PolicyApproval">;

/**
 * The EIP-712 message an admin signs to approve a policy document:
 * `PolicyApproval(address account, bytes32 policyDigest, uint64 sequence)` in the domain
 * `{ name: "nitro-eth-signer policy", version: "1" }` (issue 12, "Approval and rollback").
 *
 * @example
 * ```ts
 * const signature = await admin.signTypedData(policyApprovalTypedData({ account, digest, sequence: 1 }));
 * ```
 */
export function policyApprovalTypedData(parameters: PolicyApprovalTypedDataParameters): PolicyApprovalTypedDataReturnType {
  const { account, digest, sequence } = parameters;
  return {
    domain: POLICY_APPROVAL_DOMAIN,
    types: POLICY_APPROVAL_TYPES,
    primaryType: "PolicyApproval",
    message: { account, policyDigest: digest, sequence: BigInt(sequence) },
  };
}

export type VerifyPolicyApprovalsParameters = {
  readonly document: PolicyDocument;
  /** `policyDigest()` of the document as received. */
  readonly digest: Hex;
  readonly approvals: readonly Hex[];
  /** The account's governance, sealed with its key. */
  readonly governance: Governance;
};
/** The distinct admins (lowercase) whose approvals verified, in the order given. */
export type VerifyPolicyApprovalsReturnType = Hex[];
export type VerifyPolicyApprovalsErrorType = InvalidParamsError;

/**
 * Checks that `threshold` distinct admins of `governance` approved exactly this document: each approval must be a
 * 65-byte signature (r ‖ s ‖ v) over `policyApprovalTypedData({ account, digest, sequence })` recovering to an
 * admin. A malformed signature or one by anyone else (which is also what an approval of another account, digest
 * or sequence recovers to) refuses the whole set; two approvals by one admin count once. InvalidParamsError on
 * field "approvals" (or `approvals[i]`) otherwise.
 *
 * @example
 * ```ts
 * const admins = await verifyPolicyApprovals({ document, digest, approvals, governance });
 * ```
 */
export async function verifyPolicyApprovals(parameters: VerifyPolicyApprovalsParameters): Promise<VerifyPolicyApprovalsReturnType> {
  const { document, digest, approvals, governance } = parameters;
  if (!/^0x[0-9a-fA-F]{64}$/.test(digest)) throw new TypeError("Cannot verify approvals: digest must be 32 bytes of hex");
  if (!Array.isArray(approvals)) throw new InvalidParamsError("approvals", "expected an array of signatures");
  if (approvals.length > MAX_POLICY_APPROVALS) throw new InvalidParamsError("approvals", `more than ${MAX_POLICY_APPROVALS} approvals`);
  const admins = new Set(governance.admins.map((a) => a.toLowerCase()));
  const typedData = policyApprovalTypedData({ account: document.account, digest: digest.toLowerCase() as Hex, sequence: document.sequence });
  const approvers: Hex[] = [];
  for (const [i, signature] of approvals.entries()) {
    const field = `approvals[${i}]`;
    // r ‖ s ‖ v, v 27/28 or 0/1: what eth_signTypedData_v4, viem, cast and hardware wallets return.
    if (typeof signature !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
      throw new InvalidParamsError(field, "expected a 65-byte signature in hex (r, s, v)");
    }
    let signer: Hex;
    try {
      signer = (await recoverTypedDataAddress({ ...typedData, signature: signature as Hex })).toLowerCase() as Hex;
    } catch {
      throw new InvalidParamsError(field, "is not a valid signature");
    }
    if (!admins.has(signer)) {
      throw new InvalidParamsError(
        field,
        `recovers to ${signer}, not an admin of ${document.account} — or it approves another account, digest or sequence`,
      );
    }
    if (!approvers.includes(signer)) approvers.push(signer);
  }
  if (approvers.length < governance.threshold) {
    throw new InvalidParamsError(
      "approvals",
      `${approvers.length} distinct admin${approvers.length === 1 ? "" : "s"} approved; ${governance.threshold} of ${admins.size} required`,
    );
  }
  return approvers;
}
