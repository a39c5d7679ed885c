import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SignerClient } from "../../signer/mod.ts";
import { createPolicyRecordStore } from "./policy_record_store.ts";

export type LoadStoredPoliciesReturnType = {
  /** Accounts whose stored policy the signer accepted now. */
  applied: string[];
  /** Accounts whose stored policy (that sequence or a later one) was in force already. */
  inForce: string[];
  /** Policies the signer refused or that could not be read: `policy/<address>` and the reason. */
  failed: { name: string; error: string }[];
};

/**
 * Puts every stored policy back in force after the keys are loaded (issue 12): `policy.apply` with the document
 * and approvals exactly as stored, so the signer checks them again. A refused or unreadable one is reported,
 * never fatal: the signer fails closed, so a governed key without its policy signs nothing. A policy whose
 * sequence (or a later one) is in force already is left alone, so a periodic reload does not count as a refusal.
 *
 * @example
 * ```ts
 * const { applied, failed } = await loadStoredPolicies({ signer, secrets, prefix });
 * ```
 */
export async function loadStoredPolicies(deps: { signer: SignerClient; secrets: SecretsManagerClient; prefix: string }): Promise<LoadStoredPoliciesReturnType> {
  const { policies, failed } = await createPolicyRecordStore(deps.secrets, deps.prefix).list();
  const result: LoadStoredPoliciesReturnType = { applied: [], inForce: [], failed: failed.map((f) => ({ ...f, name: f.name.slice(deps.prefix.length) })) };
  for (const { address, record } of policies) {
    try {
      if ((await sequenceInForce(deps.signer, address)) >= storedSequence(record.document)) {
        result.inForce.push(address);
        continue;
      }
      await deps.signer.request("policy.apply", { document: record.document, approvals: record.approvals });
      result.applied.push(address);
    } catch (error) {
      result.failed.push({ name: `policy/${address}`, error: `${(error as { code?: string }).code ?? "ERROR"}: ${(error as Error).message.split("\n")[0]}` });
    }
  }
  return result;
}

/** The sequence of the policy in force for `address`, or -1 when none is (or the signer cannot say). */
async function sequenceInForce(signer: SignerClient, address: `0x${string}`): Promise<number> {
  try {
    const { accounts } = await signer.request("policy.describe", { address });
    const policy = accounts.find((a) => a.address.toLowerCase() === address.toLowerCase())?.policy;
    return policy?.kind === "policy" ? policy.sequence : -1;
  } catch {
    return -1;
  }
}

/** The stored document's `sequence`, or +Infinity when it has none (then the signer decides, and refuses it). */
function storedSequence(document: string): number {
  const sequence = (JSON.parse(document) as { sequence?: unknown }).sequence;
  return typeof sequence === "number" ? sequence : Number.POSITIVE_INFINITY;
}
