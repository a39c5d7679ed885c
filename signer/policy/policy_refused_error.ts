import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { PolicyRule } from "../protocol/messages.ts";

/** The signer's policy refuses a well-formed request; `data` names the rule and says why (stable code POLICY_REFUSED). */
export class PolicyRefusedError extends BaseError {
  override readonly name = "Signer.PolicyRefusedError";
  constructor(rule: PolicyRule["id"], reason: string) {
    super(ErrorCode.policyRefused, `Refused by policy: ${reason}`, { data: { rule, reason } });
  }
}
