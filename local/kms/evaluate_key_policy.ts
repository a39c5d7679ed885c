import type { KeyPolicy, PolicyCondition, PolicyStatement } from "./parse_key_policy.ts";

/** The request a key policy is evaluated against. */
export type KeyPolicyRequest = {
  /** Caller's IAM principal ARN. */
  readonly principalArn: string;
  /** e.g. `kms:Decrypt` */
  readonly action: string;
  /** Key ARN. */
  readonly resource: string;
  /**
   * Condition keys of the request (any case; compared case-insensitively), e.g. `kms:EncryptionContext:address`,
   * `kms:EncryptionContextKeys` (multi-valued), `kms:RecipientAttestation:ImageSha384`, `kms:RecipientAttestation:PCR0`.
   * Absent keys are simply not listed.
   */
  readonly context: Readonly<Record<string, string | readonly string[]>>;
};

export type KeyPolicyDecision = {
  readonly decision: "Allow" | "ExplicitDeny" | "ImplicitDeny";
  /** Sid (or index) of the statement that decided, when one did. */
  readonly statement?: string;
};

/**
 * Evaluates a KMS key policy the way IAM evaluates a resource-based policy (IAM User Guide, "Policy evaluation
 * logic"): an applicable Deny wins, else an applicable Allow allows, else the request is implicitly denied. A
 * statement applies when its principal, action, resource and every condition match. Conditions: a key lists
 * values (any may match; negated operators require none to match); several keys or operators must all hold;
 * `…IfExists` holds when the key is absent; a missing key fails positive operators and satisfies negated ones;
 * `ForAllValues:` holds when every request value matches (vacuously true when absent), `ForAnyValue:` when one
 * does. Principals: `"*"`, an exact ARN, or an account (`arn:aws:iam::<acct>:root` or `<acct>`), which — as the
 * stand-in has no IAM policies — stands for every principal of that account.
 *
 * @example
 * ```ts
 * const { decision } = evaluateKeyPolicy(policy, { principalArn, action: "kms:Decrypt", resource: keyArn,
 *   context: { "kms:RecipientAttestation:ImageSha384": pcr0Hex } });
 * ```
 */
export function evaluateKeyPolicy(policy: KeyPolicy, request: KeyPolicyRequest): KeyPolicyDecision {
  const context = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(request.context)) {
    context.set(key.toLowerCase(), typeof value === "string" ? [value] : value);
  }
  let allow: string | undefined;
  for (const [index, statement] of policy.statements.entries()) {
    if (!applies(statement, request, context)) continue;
    const name = statement.sid ?? `#${index}`;
    if (statement.effect === "Deny") return { decision: "ExplicitDeny", statement: name };
    allow ??= name;
  }
  return allow === undefined ? { decision: "ImplicitDeny" } : { decision: "Allow", statement: allow };
}

function applies(statement: PolicyStatement, request: KeyPolicyRequest, context: Map<string, readonly string[]>): boolean {
  if (statement.principal !== undefined && !principalMatches(statement.principal, request.principalArn)) return false;
  if (statement.notPrincipal !== undefined && principalMatches(statement.notPrincipal, request.principalArn)) return false;
  if (statement.action && !statement.action.some((a) => glob(a, request.action, true))) return false;
  if (statement.notAction && statement.notAction.some((a) => glob(a, request.action, true))) return false;
  if (statement.resource && !statement.resource.some((r) => glob(r, request.resource, false))) return false;
  if (statement.notResource && statement.notResource.some((r) => glob(r, request.resource, false))) return false;
  return statement.conditions.every((c) => conditionHolds(c, context.get(c.key)));
}

function principalMatches(principal: "*" | readonly string[], arn: string): boolean {
  if (principal === "*") return true;
  const account = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
  return principal.some((p) => p === arn || (account !== undefined && (p === account || p === `arn:aws:iam::${account}:root`)));
}

const NEGATED = new Set([
  "StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "NumericNotEquals", "DateNotEquals", "ArnNotEquals", "ArnNotLike", "NotIpAddress",
]);

function conditionHolds(condition: PolicyCondition, requestValues: readonly string[] | undefined): boolean {
  const present = requestValues !== undefined && requestValues.length > 0;
  if (condition.operator === "Null") {
    // Null: "true" ⇔ the key is absent (IAM User Guide, "Condition operator to check existence of condition keys").
    return condition.values.some((v) => (v.toLowerCase() === "true") === !present);
  }
  const negated = NEGATED.has(condition.operator);
  // A value of the request satisfies a negated operator when it matches none of the policy values.
  const satisfies = (value: string) => {
    const any = condition.values.some((expected) => compare(condition.operator, expected, value));
    return negated ? !any : any;
  };
  if (condition.qualifier === "ForAllValues") return !present || requestValues.every(satisfies);
  if (condition.qualifier === "ForAnyValue") return present && requestValues.some(satisfies);
  if (!present) return condition.ifExists || negated;
  return negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
}

function compare(operator: string, expected: string, actual: string): boolean {
  switch (operator) {
    case "StringEquals":
    case "StringNotEquals":
    case "ArnEquals":
    case "ArnNotEquals":
    case "BinaryEquals":
      return expected === actual;
    case "StringEqualsIgnoreCase":
    case "StringNotEqualsIgnoreCase":
      return expected.toLowerCase() === actual.toLowerCase();
    case "StringLike":
    case "StringNotLike":
    case "ArnLike":
    case "ArnNotLike":
      return glob(expected, actual, false);
    case "Bool":
      return expected.toLowerCase() === actual.toLowerCase();
    case "NumericEquals":
    case "NumericNotEquals":
      return numeric(actual, expected, (a, b) => a === b);
    case "NumericLessThan":
      return numeric(actual, expected, (a, b) => a < b);
    case "NumericLessThanEquals":
      return numeric(actual, expected, (a, b) => a <= b);
    case "NumericGreaterThan":
      return numeric(actual, expected, (a, b) => a > b);
    case "NumericGreaterThanEquals":
      return numeric(actual, expected, (a, b) => a >= b);
    case "DateEquals":
    case "DateNotEquals":
      return date(actual, expected, (a, b) => a === b);
    case "DateLessThan":
      return date(actual, expected, (a, b) => a < b);
    case "DateLessThanEquals":
      return date(actual, expected, (a, b) => a <= b);
    case "DateGreaterThan":
      return date(actual, expected, (a, b) => a > b);
    case "DateGreaterThanEquals":
      return date(actual, expected, (a, b) => a >= b);
    default:
      return false; // IpAddress / NotIpAddress: the stand-in has no aws:SourceIp.
  }
}

function numeric(actual: string, expected: string, test: (a: number, b: number) => boolean): boolean {
  const a = Number(actual);
  const b = Number(expected);
  return actual.trim() !== "" && expected.trim() !== "" && Number.isFinite(a) && Number.isFinite(b) && test(a, b);
}

function date(actual: string, expected: string, test: (a: number, b: number) => boolean): boolean {
  const parse = (v: string) => (/^\d+$/.test(v) ? Number(v) * 1000 : Date.parse(v));
  const a = parse(actual);
  const b = parse(expected);
  return Number.isFinite(a) && Number.isFinite(b) && test(a, b);
}

/** IAM wildcard match: `*` any run of characters, `?` one character; the whole value must match. */
function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}
