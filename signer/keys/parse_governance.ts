import type { GovernanceParams } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { isHexAddress } from "../protocol/params/parse_address.ts";
import { isRecord } from "../protocol/params/is_record.ts";

/** The most admins a key may have: a bound on the approvals one `policy.apply` checks. */
export const MAX_GOVERNANCE_ADMINS = 16;

/**
 * A key's governance as the signer keeps and seals it (DESIGN §10): 1–16 distinct admin addresses (compared
 * case-insensitively, returned lowercase and sorted, so one admin set has one form) and a threshold between 1
 * and the number of admins. Throws InvalidParamsError naming the field (`governance.admins[2]`, …).
 *
 * @example
 * ```ts
 * parseGovernance({ admins: ["0xB0…", "0xa1…"], threshold: 2 }); // { admins: ["0xa1…", "0xb0…"], threshold: 2 }
 * ```
 */
export function parseGovernance(value: unknown, field = "governance"): GovernanceParams {
  if (!isRecord(value)) throw new InvalidParamsError(field, "expected { admins, threshold }");
  for (const key of Object.keys(value)) {
    if (key !== "admins" && key !== "threshold") throw new InvalidParamsError(`${field}.${key}`, "unknown field");
  }
  const { admins, threshold } = value;
  if (!Array.isArray(admins) || admins.length < 1 || admins.length > MAX_GOVERNANCE_ADMINS) {
    throw new InvalidParamsError(`${field}.admins`, `expected 1 to ${MAX_GOVERNANCE_ADMINS} addresses`);
  }
  const seen = new Set<string>();
  admins.forEach((admin, i) => {
    if (!isHexAddress(admin)) throw new InvalidParamsError(`${field}.admins[${i}]`, "expected a 20-byte 0x address");
    const lower = admin.toLowerCase();
    if (seen.has(lower)) throw new InvalidParamsError(`${field}.admins[${i}]`, `duplicate admin ${admin}`);
    seen.add(lower);
  });
  if (typeof threshold !== "number" || !Number.isInteger(threshold) || threshold < 1 || threshold > admins.length) {
    throw new InvalidParamsError(`${field}.threshold`, `expected an integer from 1 to ${admins.length} (the number of admins)`);
  }
  return { admins: ([...seen].sort() as `0x${string}`[]), threshold };
}

/** Whether two governances are the same (both absent, or the same admins and threshold in any order and case). */
export function sameGovernance(a: GovernanceParams | undefined, b: GovernanceParams | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return formatGovernance(a) === formatGovernance(b);
}

/**
 * The EncryptionContext value of a governance: `<threshold>:<admin>,<admin>…`, admins lowercase, sorted, unique.
 *
 * @example
 * ```ts
 * formatGovernance({ admins: ["0xa1…", "0xb0…"], threshold: 1 }); // "1:0xa1…,0xb0…"
 * ```
 */
export function formatGovernance(governance: GovernanceParams): string {
  const { admins, threshold } = parseGovernance(governance);
  return `${threshold}:${admins.join(",")}`;
}
