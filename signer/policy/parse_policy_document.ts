import type { Hex } from "../protocol/messages.ts";
import { describeValue } from "../protocol/params/describe_value.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { isRecord } from "../protocol/params/is_record.ts";
import { parseAddress } from "../protocol/params/parse_address.ts";
import type { PolicyAction, PolicyDocument, PolicyDocumentRule, PolicyLimit } from "./policy_types.ts";

export type ParsePolicyDocumentParameters = { readonly now: number };
export type ParsePolicyDocumentReturnType = PolicyDocument;
export type ParsePolicyDocumentErrorType = InvalidParamsError;

/**
 * Ids a document may not give a rule or limit: the decisions the engine names itself, the signer's built-in rules
 * (SIGNING_POLICY) and the attestation's words, so that `data.rule` of a refusal is never ambiguous.
 */
export const RESERVED_POLICY_IDS: readonly string[] = [
  "no-policy",
  "expired",
  "no-allow-rule",
  "unrestricted",
  "none",
  "typed-data-chain",
  "authorization-any-chain",
];

/** Bounds that keep one evaluation cheap; a real policy comes nowhere near them. */
export const POLICY_BOUNDS = { rules: 256, limits: 32, listItems: 1024, textChars: 256 } as const;

/** A limit's window: one second to 365 days. */
export const MAX_WINDOW_SECONDS = 365 * 24 * 3600;

const ACTIONS: readonly PolicyAction[] = ["transaction", "message", "typedData", "authorization"];
const DOCUMENT_FIELDS = ["version", "account", "sequence", "notAfter", "rules", "limits"];
const RULE_FIELDS = ["id", "effect", "action"];
/** The conditions each action takes (issue 12, "The policy document (format v1)"). */
const CONDITIONS: Record<PolicyAction, readonly string[]> = {
  transaction: ["chainIds", "to", "create", "maxValue", "selectors", "erc20", "maxFeePerGas", "maxGas", "maxFee", "blobs"],
  message: ["prefix"],
  typedData: ["domain", "primaryTypes"],
  authorization: ["chainIds", "to"],
};
const ERC20_FIELDS = ["maxAmount", "recipients", "allowUnlimitedApproval"];
const DOMAIN_FIELDS = ["chainId", "verifyingContract", "name"];
const LIMIT_FIELDS = ["id", "window", "maxValue", "maxCount"];

const ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
/** Decimal digits without leading zeros ("0" itself allowed); at most 78 digits (2^256-1 has 78). */
const AMOUNT = /^(0|[1-9][0-9]{0,77})$/;
const MAX_UINT256 = (1n << 256n) - 1n;
/** ISO 8601 in UTC as `Date.prototype.toISOString` writes it, fraction optional. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;
const SELECTOR = /^0x([0-9a-fA-F]{8})?$/;
const TYPE_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** In a `u` regex a surrogate pair is one code point, so this finds only lone surrogates (not valid UTF-8). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Parses and checks a policy document (format v1, issue 12) as JSON.parse gives it: every field is checked, and
 * anything unknown, malformed, out of range, a `notAfter` before `now`, duplicate or reserved ids, a condition that
 * does not apply to its rule's action, or an empty list refuses the whole document with InvalidParamsError naming
 * the field (`policy.rules[2].maxValue`). Addresses come back lowercase, amounts as bigint, `notAfter` in ms.
 *
 * Choices beyond the issue: `limits` may be left out (no limits), but not given as `[]`; `create: true` together
 * with `to` or `erc20` (which no creation can match) is refused, and so is `erc20.allowUnlimitedApproval` in a deny rule; ids are 1–64 characters of `A-Za-z0-9._:-`;
 * `notAfter` is inclusive (the document is in force up to and including that instant).
 *
 * @example
 * ```ts
 * const document = parsePolicyDocument(JSON.parse(text), { now: Date.now() });
 * document.rules[0]?.maxValue; // 1000000000000000000n
 * ```
 */
export function parsePolicyDocument(json: unknown, options: ParsePolicyDocumentParameters): ParsePolicyDocumentReturnType {
  const { now } = options;
  if (!Number.isFinite(now)) throw new TypeError("Cannot parse policy document: options.now must be a finite number");
  const doc = record(json, "policy", DOCUMENT_FIELDS);
  if (doc.version !== 1) throw new InvalidParamsError("policy.version", `expected 1, got ${describeValue(doc.version)}`);
  const account = address(required(doc, "account", "policy"), "policy.account");
  const sequence = doc.sequence;
  if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 1) {
    throw new InvalidParamsError("policy.sequence", "expected a positive integer of at most 2^53-1");
  }
  const notAfter = isoTime(required(doc, "notAfter", "policy"), "policy.notAfter");
  if (notAfter < now) throw new InvalidParamsError("policy.notAfter", `is in the past (${new Date(now).toISOString()} now)`);

  const ids = new Set<string>();
  const rules = list(required(doc, "rules", "policy"), "policy.rules", POLICY_BOUNDS.rules)
    .map((rule, i) => parseRule(rule, `policy.rules[${i}]`, ids));
  const limits = doc.limits === undefined
    ? []
    : list(doc.limits, "policy.limits", POLICY_BOUNDS.limits).map((limit, i) => parseLimit(limit, `policy.limits[${i}]`, ids));
  return { version: 1, account, sequence, notAfter, rules, limits };
}

function parseRule(value: unknown, field: string, ids: Set<string>): PolicyDocumentRule {
  if (!isRecord(value)) throw new InvalidParamsError(field, "expected an object { id, effect, action, … }");
  const action = value.action;
  if (typeof action !== "string" || !(ACTIONS as readonly string[]).includes(action)) {
    throw new InvalidParamsError(`${field}.action`, `expected one of ${ACTIONS.join(", ")}, got ${describeValue(action)}`);
  }
  const allowed = CONDITIONS[action as PolicyAction];
  for (const key of Object.keys(value)) {
    if (RULE_FIELDS.includes(key) || allowed.includes(key)) continue;
    const owner = ACTIONS.find((a) => CONDITIONS[a].includes(key));
    throw new InvalidParamsError(
      `${field}.${key}`,
      owner ? `does not apply to ${action} rules (only to ${ACTIONS.filter((a) => CONDITIONS[a].includes(key)).join(", ")})` : "unknown field",
    );
  }
  const id = uniqueId(value.id, `${field}.id`, ids);
  const effect = value.effect;
  if (effect !== "allow" && effect !== "deny") throw new InvalidParamsError(`${field}.effect`, `expected "allow" or "deny", got ${describeValue(effect)}`);
  const rule: { -readonly [K in keyof PolicyDocumentRule]: PolicyDocumentRule[K] } = { id, effect, action: action as PolicyAction };
  const at = (key: string) => `${field}.${key}`;
  if (value.chainIds !== undefined) rule.chainIds = list(value.chainIds, at("chainIds")).map((c, i) => chainId(c, `${at("chainIds")}[${i}]`));
  if (value.to !== undefined) rule.to = list(value.to, at("to")).map((a, i) => address(a, `${at("to")}[${i}]`));
  if (value.create !== undefined) rule.create = bool(value.create, at("create"));
  if (value.maxValue !== undefined) rule.maxValue = amount(value.maxValue, at("maxValue"));
  if (value.selectors !== undefined) rule.selectors = list(value.selectors, at("selectors")).map((s, i) => selector(s, `${at("selectors")}[${i}]`));
  if (value.erc20 !== undefined) rule.erc20 = parseErc20(value.erc20, at("erc20"));
  if (value.maxFeePerGas !== undefined) rule.maxFeePerGas = amount(value.maxFeePerGas, at("maxFeePerGas"));
  if (value.maxGas !== undefined) rule.maxGas = amount(value.maxGas, at("maxGas"));
  if (value.maxFee !== undefined) rule.maxFee = amount(value.maxFee, at("maxFee"));
  if (value.blobs !== undefined) rule.blobs = bool(value.blobs, at("blobs"));
  if (value.prefix !== undefined) {
    rule.prefix = text(value.prefix, at("prefix"));
  }
  if (value.domain !== undefined) rule.domain = parseDomain(value.domain, at("domain"));
  if (value.primaryTypes !== undefined) {
    rule.primaryTypes = list(value.primaryTypes, at("primaryTypes")).map((t, i) => {
      if (typeof t !== "string" || !TYPE_NAME.test(t) || t.length > POLICY_BOUNDS.textChars) {
        throw new InvalidParamsError(`${at("primaryTypes")}[${i}]`, `expected an EIP-712 type name, got ${describeValue(t)}`);
      }
      return t;
    });
  }
  if (effect === "deny" && rule.erc20?.allowUnlimitedApproval !== undefined) {
    // A deny rule matches unlimited approvals like any other; the flag only widens what an allow rule allows.
    throw new InvalidParamsError(at("erc20.allowUnlimitedApproval"), "applies only to allow rules");
  }
  if (rule.create === true && rule.to !== undefined) throw new InvalidParamsError(at("create"), "create: true cannot be combined with to (a contract creation has no recipient)");
  if (rule.create === true && rule.erc20 !== undefined) throw new InvalidParamsError(at("create"), "create: true cannot be combined with erc20 (a contract creation calls no token)");
  return rule;
}

function parseErc20(value: unknown, field: string): NonNullable<PolicyDocumentRule["erc20"]> {
  const erc20 = record(value, field, ERC20_FIELDS);
  const out: { maxAmount?: bigint; recipients?: readonly Hex[]; allowUnlimitedApproval?: boolean } = {};
  if (erc20.maxAmount !== undefined) out.maxAmount = amount(erc20.maxAmount, `${field}.maxAmount`);
  if (erc20.recipients !== undefined) {
    out.recipients = list(erc20.recipients, `${field}.recipients`).map((a, i) => address(a, `${field}.recipients[${i}]`));
  }
  if (erc20.allowUnlimitedApproval !== undefined) out.allowUnlimitedApproval = bool(erc20.allowUnlimitedApproval, `${field}.allowUnlimitedApproval`);
  return out;
}

function parseDomain(value: unknown, field: string): NonNullable<PolicyDocumentRule["domain"]> {
  const domain = record(value, field, DOMAIN_FIELDS);
  if (Object.keys(domain).length === 0) throw new InvalidParamsError(field, "is empty: give chainId, verifyingContract or name");
  const out: { chainId?: number; verifyingContract?: Hex; name?: string } = {};
  if (domain.chainId !== undefined) out.chainId = chainId(domain.chainId, `${field}.chainId`);
  if (domain.verifyingContract !== undefined) out.verifyingContract = address(domain.verifyingContract, `${field}.verifyingContract`);
  if (domain.name !== undefined) out.name = text(domain.name, `${field}.name`, { allowEmpty: true });
  return out;
}

function parseLimit(value: unknown, field: string, ids: Set<string>): PolicyLimit {
  const limit = record(value, field, LIMIT_FIELDS);
  const id = uniqueId(limit.id, `${field}.id`, ids);
  const window = limit.window;
  if (typeof window !== "number" || !Number.isSafeInteger(window) || window < 1 || window > MAX_WINDOW_SECONDS) {
    throw new InvalidParamsError(`${field}.window`, `expected whole seconds from 1 to ${MAX_WINDOW_SECONDS} (365 days), got ${describeValue(window)}`);
  }
  const out: { -readonly [K in keyof PolicyLimit]: PolicyLimit[K] } = { id, window };
  if (limit.maxValue !== undefined) out.maxValue = amount(limit.maxValue, `${field}.maxValue`);
  if (limit.maxCount !== undefined) {
    const count = limit.maxCount;
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 1) {
      throw new InvalidParamsError(`${field}.maxCount`, `expected a positive integer, got ${describeValue(count)}`);
    }
    out.maxCount = count;
  }
  if (out.maxValue === undefined && out.maxCount === undefined) throw new InvalidParamsError(field, "needs maxValue, maxCount or both");
  return out;
}

/** An object with only `known` keys. */
function record(value: unknown, field: string, known: readonly string[]): Record<string, unknown> {
  if (!isRecord(value)) throw new InvalidParamsError(field, `expected an object, got ${describeValue(value)}`);
  for (const key of Object.keys(value)) if (!known.includes(key)) throw new InvalidParamsError(`${field}.${key}`, "unknown field");
  return value;
}

function required(value: Record<string, unknown>, key: string, field: string): unknown {
  if (value[key] === undefined) throw new InvalidParamsError(`${field}.${key}`, "is required");
  return value[key];
}

function list(value: unknown, field: string, max: number = POLICY_BOUNDS.listItems): unknown[] {
  if (!Array.isArray(value)) throw new InvalidParamsError(field, `expected an array, got ${describeValue(value)}`);
  if (value.length === 0) throw new InvalidParamsError(field, "is empty: leave the field out to match anything");
  if (value.length > max) throw new InvalidParamsError(field, `has ${value.length} items, more than ${max}`);
  return value;
}

function uniqueId(value: unknown, field: string, ids: Set<string>): string {
  if (typeof value !== "string" || !ID.test(value)) {
    throw new InvalidParamsError(field, `expected 1-64 characters of A-Z a-z 0-9 . _ : - (not starting with a symbol), got ${describeValue(value)}`);
  }
  if (RESERVED_POLICY_IDS.includes(value)) throw new InvalidParamsError(field, `"${value}" is reserved for the signer's own decisions`);
  if (ids.has(value)) throw new InvalidParamsError(field, `duplicate id "${value}" (rule and limit ids must be unique)`);
  ids.add(value);
  return value;
}

/** Policy addresses are compared lowercase; a mixed-case one must carry a valid EIP-55 checksum. */
function address(value: unknown, field: string): Hex {
  return parseAddress(value, field).toLowerCase() as Hex;
}

function bool(value: unknown, field: string): boolean {
  if (typeof value !== "boolean") throw new InvalidParamsError(field, `expected true or false, got ${describeValue(value)}`);
  return value;
}

function chainId(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidParamsError(field, `expected a positive integer chain id, got ${describeValue(value)}`);
  }
  return value;
}

/** Decimal strings of wei or token units only: no numbers (floats), no hex, no sign, no leading zeros, ≤ 2^256-1. */
function amount(value: unknown, field: string): bigint {
  if (typeof value !== "string" || !AMOUNT.test(value)) {
    throw new InvalidParamsError(field, `expected a decimal string of wei or token units like "1000000", got ${describeValue(value)}`);
  }
  const n = BigInt(value);
  if (n > MAX_UINT256) throw new InvalidParamsError(field, "exceeds 2^256-1");
  return n;
}

function selector(value: unknown, field: string): Hex {
  if (typeof value !== "string" || !SELECTOR.test(value)) {
    throw new InvalidParamsError(field, `expected "0x" (no calldata) or a 4-byte selector like "0xa9059cbb", got ${describeValue(value)}`);
  }
  return value.toLowerCase() as Hex;
}

function text(value: unknown, field: string, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== "string") throw new InvalidParamsError(field, `expected a string, got ${describeValue(value)}`);
  if (value.length === 0 && !options.allowEmpty) throw new InvalidParamsError(field, "is empty");
  if (value.length > POLICY_BOUNDS.textChars) throw new InvalidParamsError(field, `is longer than ${POLICY_BOUNDS.textChars} characters`);
  if (LONE_SURROGATE.test(value)) throw new InvalidParamsError(field, "contains a lone surrogate (not valid Unicode)");
  return value;
}

/** ISO 8601 in UTC (`Z`), a real calendar date and time (no 24:00, no leap second, no 30 February). */
function isoTime(value: unknown, field: string): number {
  const m = typeof value === "string" ? ISO_UTC.exec(value) : null;
  if (!m) throw new InvalidParamsError(field, `expected an ISO 8601 UTC time like "2027-06-01T00:00:00Z", got ${describeValue(value)}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? "0").padEnd(3, "0"));
  const time = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  const date = new Date(time);
  if (
    y < 1970 || date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d ||
    date.getUTCHours() !== h || date.getUTCMinutes() !== mi || date.getUTCSeconds() !== s
  ) {
    throw new InvalidParamsError(field, `${describeValue(value)} is not a valid date and time`);
  }
  return time;
}
