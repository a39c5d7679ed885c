import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/**
 * The signer's policy refuses a well-formed request (stable code POLICY_REFUSED); `data` names the deciding rule or
 * limit and says why. `rule` is a built-in rule's id (`typed-data-chain`, …), an id from the account's policy
 * document, or one of `no-policy`, `expired`, `no-allow-rule`.
 *
 * @example
 * ```ts
 * throw new PolicyRefusedError("daily-eth", "value signed in the last 86400 s would reach 2 ETH, above maxValue 1.5 ETH");
 * ```
 */
export class PolicyRefusedError extends BaseError {
  override readonly name = "Signer.PolicyRefusedError";
  readonly rule: string;
  readonly reason: string;
  constructor(rule: string, reason: string) {
    super(ErrorCode.policyRefused, `Refused by policy: ${reason}`, { data: { rule, reason } });
    this.rule = rule;
    this.reason = reason;
  }
}
