import { AwsJsonError } from "../aws/aws_json_error.ts";

/** A condition test: `operator` (e.g. `StringEqualsIgnoreCase`), with its set qualifier and IfExists split off. */
export type PolicyCondition = {
  /** Base operator, e.g. `StringEquals`, `StringLike`, `Null`, `Bool`, `NumericLessThan`, `ArnLike`. */
  readonly operator: string;
  readonly qualifier: "ForAllValues" | "ForAnyValue" | undefined;
  readonly ifExists: boolean;
  /** Condition key, lower-cased (condition keys are case-insensitive). */
  readonly key: string;
  readonly values: readonly string[];
};

export type PolicyStatement = {
  readonly sid: string | undefined;
  readonly effect: "Allow" | "Deny";
  /** `"*"` = everyone; otherwise AWS principals (ARNs or account ids). Exactly one of principal / notPrincipal. */
  readonly principal?: "*" | readonly string[];
  readonly notPrincipal?: "*" | readonly string[];
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly conditions: readonly PolicyCondition[];
};

export type KeyPolicy = { readonly statements: readonly PolicyStatement[] };

/** Key policy document size quota: 32 KiB (AWS KMS Developer Guide, "Resource quotas"). */
export const MAX_KEY_POLICY_BYTES = 32768;

const OPERATORS = new Set([
  "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
  "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
  "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
  "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
]);

/**
 * Parses and validates a KMS key policy document (IAM JSON policy grammar, IAM User Guide "IAM JSON policy
 * elements reference") into a normalised form for {@link evaluateKeyPolicy}. Refuses what IAM refuses —
 * unknown elements, a missing Effect / Action / Principal / Resource, unknown condition operators — with
 * `MalformedPolicyDocumentException`.
 *
 * @example
 * ```ts
 * const policy = parseKeyPolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow",
 *   Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "kms:*", Resource: "*" }] }));
 * ```
 */
export function parseKeyPolicy(document: string): KeyPolicy {
  if (typeof document !== "string") malformed("Policy must be a string");
  if (new TextEncoder().encode(document).length > MAX_KEY_POLICY_BYTES) malformed(`Policy exceeds ${MAX_KEY_POLICY_BYTES} bytes`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return malformed("Policy is not valid JSON");
  }
  const root = object(parsed, "policy");
  for (const key of Object.keys(root)) if (!["Version", "Id", "Statement"].includes(key)) malformed(`Unknown policy element ${key}`);
  if (root["Version"] !== undefined && root["Version"] !== "2012-10-17" && root["Version"] !== "2008-10-17") {
    malformed("Version must be 2012-10-17 or 2008-10-17");
  }
  const rawStatements = root["Statement"];
  if (rawStatements === undefined) malformed("Policy has no Statement");
  const statements = (Array.isArray(rawStatements) ? rawStatements : [rawStatements]).map(parseStatement);
  if (statements.length === 0) malformed("Policy has no Statement");
  return { statements };
}

function parseStatement(raw: unknown): PolicyStatement {
  const s = object(raw, "Statement");
  const allowed = ["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"];
  for (const key of Object.keys(s)) if (!allowed.includes(key)) malformed(`Unknown statement element ${key}`);
  const effect = s["Effect"];
  if (effect !== "Allow" && effect !== "Deny") malformed("Effect must be Allow or Deny");
  if ((s["Principal"] === undefined) === (s["NotPrincipal"] === undefined)) malformed("A key policy statement needs exactly one of Principal, NotPrincipal");
  if ((s["Action"] === undefined) === (s["NotAction"] === undefined)) malformed("A statement needs exactly one of Action, NotAction");
  if ((s["Resource"] === undefined) === (s["NotResource"] === undefined)) malformed("A statement needs exactly one of Resource, NotResource");
  const sid = s["Sid"];
  if (sid !== undefined && typeof sid !== "string") malformed("Sid must be a string");
  return {
    sid: sid as string | undefined,
    effect: effect as "Allow" | "Deny",
    ...(s["Principal"] !== undefined ? { principal: principals(s["Principal"]) } : {}),
    ...(s["NotPrincipal"] !== undefined ? { notPrincipal: principals(s["NotPrincipal"]) } : {}),
    ...(s["Action"] !== undefined ? { action: strings(s["Action"], "Action") } : {}),
    ...(s["NotAction"] !== undefined ? { notAction: strings(s["NotAction"], "NotAction") } : {}),
    ...(s["Resource"] !== undefined ? { resource: strings(s["Resource"], "Resource") } : {}),
    ...(s["NotResource"] !== undefined ? { notResource: strings(s["NotResource"], "NotResource") } : {}),
    conditions: s["Condition"] === undefined ? [] : conditions(s["Condition"]),
  };
}

/** `"*"`, `{ "AWS": "*" | arn | [arn…] }`; `Service` / `Federated` principals never match a local caller. */
function principals(raw: unknown): "*" | readonly string[] {
  if (raw === "*") return "*";
  const p = object(raw, "Principal");
  const out: string[] = [];
  for (const [kind, value] of Object.entries(p)) {
    if (!["AWS", "Service", "Federated", "CanonicalUser"].includes(kind)) malformed(`Unknown principal type ${kind}`);
    const list = strings(value, `Principal.${kind}`);
    if (kind !== "AWS") continue;
    if (list.includes("*")) return "*";
    for (const entry of list) {
      if (!/^\d{12}$/.test(entry) && !/^arn:aws[a-z-]*:(iam|sts)::\d{12}:.+$/.test(entry)) {
        malformed(`Invalid principal in policy: "AWS" : "${entry}"`);
      }
      out.push(entry);
    }
  }
  return out;
}

function conditions(raw: unknown): PolicyCondition[] {
  const out: PolicyCondition[] = [];
  for (const [rawOperator, block] of Object.entries(object(raw, "Condition"))) {
    let operator = rawOperator;
    let qualifier: PolicyCondition["qualifier"];
    const colon = operator.indexOf(":");
    if (colon !== -1) {
      const prefix = operator.slice(0, colon);
      if (prefix !== "ForAllValues" && prefix !== "ForAnyValue") malformed(`Unknown condition qualifier ${prefix}`);
      qualifier = prefix;
      operator = operator.slice(colon + 1);
    }
    const ifExists = operator.endsWith("IfExists") && operator !== "IfExists";
    if (ifExists) operator = operator.slice(0, -"IfExists".length);
    if (!OPERATORS.has(operator) || (operator === "Null" && (ifExists || qualifier))) malformed(`Unknown condition operator ${rawOperator}`);
    for (const [key, value] of Object.entries(object(block, rawOperator))) {
      const values = (Array.isArray(value) ? value : [value]).map((v) => {
        if (typeof v === "string") return v;
        if (typeof v === "boolean" || typeof v === "number") return String(v);
        return malformed(`Condition ${rawOperator} ${key} has a value that is not a string, number or boolean`);
      });
      if (values.length === 0) malformed(`Condition ${rawOperator} ${key} has no values`);
      out.push({ operator, qualifier, ifExists, key: key.toLowerCase(), values });
    }
  }
  return out;
}

function strings(raw: unknown, field: string): readonly string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0 || !list.every((v) => typeof v === "string" && v.length > 0)) malformed(`${field} must be a string or a list of strings`);
  return list as string[];
}

function object(raw: unknown, field: string): Record<string, unknown> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) malformed(`${field} must be a JSON object`);
  return raw as Record<string, unknown>;
}

function malformed(message: string): never {
  throw new AwsJsonError("MalformedPolicyDocumentException", message);
}
