import { decodeFunctionData, erc20Abi, type TransactionSerializable } from "viem";
import type { Hex } from "../protocol/messages.ts";
import type { PolicyDecision, PolicyDocument, PolicyDocumentRule, PolicyRequest } from "./policy_types.ts";

export type EvaluatePolicyReturnType = PolicyDecision;

/** EIP-4844 §"Parameters": GAS_PER_BLOB = 2^17. */
export const GAS_PER_BLOB = 131072n;
/** An approval of at least 2^255 is "unlimited" (wallets send 2^256-1; some tokens treat ≥ 2^255 as infinite). */
export const UNLIMITED_APPROVAL = 1n << 255n;

/** Calldata lengths of the decoded ERC-20 calls (EIP-20): a selector and 2 or 3 words, nothing after. */
const ERC20_CALL_CHARS = { transfer: 2 + 8 + 128, approve: 2 + 8 + 128, transferFrom: 2 + 8 + 192 } as const;
type Erc20Call = { readonly fn: keyof typeof ERC20_CALL_CHARS; readonly recipient: Hex; readonly amount: bigint };

/** At most this many rules are explained in a `no-allow-rule` reason. */
const EXPLAINED_RULES = 3;

/**
 * Decides a request by the document's rules alone (limits are counted apart, by `createPolicyWindows`), as issue 12
 * orders it: past `notAfter` → `expired`; any matching deny rule → refused by that rule (deny wins); no allow rule
 * matching → `no-allow-rule`; else allowed by the first matching allow rule. A rule matches when all its conditions
 * hold (an absent condition holds for anything, a list holds for any member).
 *
 * Fail closed where a request leaves a fact out (no `gas`, a typed-data domain without `chainId`, an authorization
 * for chain 0, valid on every chain): a condition on it does not hold for an allow rule and does hold for a deny
 * rule. A blob transaction matches an allow rule only with `blobs: true`; a deny rule only `blobs: false` excludes.
 * In an `erc20` rule, the transaction must be exactly `transfer`, `approve` or `transferFrom` (EIP-20), decoded
 * with viem's erc20Abi; the recipient is transfer's `to`, approve's `spender`, transferFrom's `to`; an approval of
 * ≥ 2^255 is unlimited: an allow rule allows it only with `allowUnlimitedApproval: true`, and then regardless of
 * `maxAmount`. Reasons name the caps and values (public chain data), never a secret.
 *
 * @example
 * ```ts
 * const decision = evaluatePolicy(document, { action: "transaction", transaction }, Date.now());
 * if (!decision.allowed) throw new PolicyRefusedError(decision.rule, decision.reason);
 * ```
 */
export function evaluatePolicy(document: PolicyDocument, request: PolicyRequest, now: number): EvaluatePolicyReturnType {
  if (!(now <= document.notAfter)) {
    return { allowed: false, rule: "expired", reason: `the policy expired at ${new Date(document.notAfter).toISOString()}` };
  }
  const facts = request.action === "transaction" ? transactionFacts(request.transaction) : undefined;
  const rules = document.rules.filter((rule) => rule.action === request.action);
  for (const rule of rules) {
    if (rule.effect === "deny" && mismatch(rule, request, facts) === undefined) {
      return { allowed: false, rule: rule.id, reason: `deny rule ${rule.id} matches this ${describeAction(request.action)}` };
    }
  }
  const misses: string[] = [];
  for (const rule of rules) {
    if (rule.effect !== "allow") continue;
    const miss = mismatch(rule, request, facts);
    if (miss === undefined) return { allowed: true, rule: rule.id };
    misses.push(`${rule.id}: ${miss}`);
  }
  const what = describeAction(request.action);
  if (misses.length === 0) return { allowed: false, rule: "no-allow-rule", reason: `no rule allows any ${what}` };
  const shown = misses.slice(0, EXPLAINED_RULES).join("; ");
  const more = misses.length > EXPLAINED_RULES ? `; and ${misses.length - EXPLAINED_RULES} more rules` : "";
  return { allowed: false, rule: "no-allow-rule", reason: `no allow rule matches this ${what} (${shown}${more})` };
}

type TransactionFacts = {
  readonly chainId: number | undefined;
  readonly to: Hex | undefined;
  readonly value: bigint;
  /** "0x", a 4-byte selector, or undefined for 1–3 bytes of calldata (no function selector). */
  readonly selector: Hex | undefined;
  readonly gas: bigint | undefined;
  readonly feePerGas: bigint | undefined;
  readonly fee: bigint | undefined;
  readonly blob: boolean;
  readonly erc20: Erc20Call | undefined;
};

function transactionFacts(tx: TransactionSerializable): TransactionFacts {
  const data = (tx.data ?? "0x").toLowerCase() as Hex;
  const selector = data === "0x" ? "0x" : data.length >= 10 ? (data.slice(0, 10) as Hex) : undefined;
  const feePerGas = tx.maxFeePerGas ?? tx.gasPrice;
  const hashes = tx.blobVersionedHashes?.length ?? tx.blobs?.length ?? 0;
  const blob = tx.type === "eip4844" || hashes > 0;
  const blobFee = hashes === 0 ? 0n : tx.maxFeePerBlobGas === undefined ? undefined : GAS_PER_BLOB * BigInt(hashes) * tx.maxFeePerBlobGas;
  const fee = tx.gas === undefined || feePerGas === undefined || blobFee === undefined ? undefined : tx.gas * feePerGas + blobFee;
  let erc20: { call: Erc20Call | undefined } | undefined;
  return {
    chainId: tx.chainId,
    to: tx.to ? (tx.to.toLowerCase() as Hex) : undefined,
    value: tx.value ?? 0n,
    selector,
    gas: tx.gas,
    feePerGas,
    fee,
    blob,
    // Decoded only when a rule asks (most transactions meet no erc20 condition).
    get erc20() {
      return (erc20 ??= { call: decodeErc20(data) }).call;
    },
  };
}

function decodeErc20(data: Hex): Erc20Call | undefined {
  let call;
  try {
    call = decodeFunctionData({ abi: erc20Abi, data });
  } catch {
    return undefined;
  }
  const fn = call.functionName;
  if (fn !== "transfer" && fn !== "approve" && fn !== "transferFrom") return undefined;
  if (data.length !== ERC20_CALL_CHARS[fn]) return undefined;
  const args = call.args as readonly unknown[];
  const [recipient, amount] = fn === "transferFrom" ? [args[1], args[2]] : [args[0], args[1]];
  return { fn, recipient: (recipient as Hex).toLowerCase() as Hex, amount: amount as bigint };
}

/** Why `rule` does not match `request`, or undefined when it does. */
function mismatch(rule: PolicyDocumentRule, request: PolicyRequest, facts: TransactionFacts | undefined): string | undefined {
  // A fact the request leaves out: an allow rule's condition fails, a deny rule's holds (fail closed).
  const unknown = (reason: string) => (rule.effect === "allow" ? reason : undefined);
  switch (request.action) {
    case "transaction":
      return transactionMismatch(rule, facts!, unknown);
    case "message": {
      if (rule.prefix === undefined) return undefined;
      const prefix = new TextEncoder().encode(rule.prefix);
      const m = request.message;
      const starts = m.length >= prefix.length && prefix.every((byte, i) => m[i] === byte);
      return starts ? undefined : `the message does not start with ${JSON.stringify(rule.prefix)}`;
    }
    case "typedData": {
      const domain = (request.typedData.domain ?? {}) as Record<string, unknown>;
      if (rule.domain?.chainId !== undefined) {
        const chainId = integer(domain.chainId);
        if (chainId === undefined) return unknown("the typed data's domain has no chainId");
        if (chainId !== BigInt(rule.domain.chainId)) return `domain.chainId ${chainId} is not ${rule.domain.chainId}`;
      }
      if (rule.domain?.verifyingContract !== undefined) {
        const contract = domain.verifyingContract;
        if (typeof contract !== "string") return unknown("the typed data's domain has no verifyingContract");
        if (contract.toLowerCase() !== rule.domain.verifyingContract) return `domain.verifyingContract ${contract.toLowerCase()} is not ${rule.domain.verifyingContract}`;
      }
      if (rule.domain?.name !== undefined) {
        const name = domain.name;
        if (typeof name !== "string") return unknown("the typed data's domain has no name");
        if (name !== rule.domain.name) return `domain.name ${JSON.stringify(name).slice(0, 60)} is not ${JSON.stringify(rule.domain.name)}`;
      }
      const primaryType = request.typedData.primaryType as string;
      if (rule.primaryTypes !== undefined && !rule.primaryTypes.includes(primaryType)) {
        return `primaryType ${JSON.stringify(primaryType).slice(0, 60)} is not ${listed(rule.primaryTypes)}`;
      }
      return undefined;
    }
    case "authorization": {
      const { chainId, address } = request.authorization;
      if (rule.chainIds !== undefined) {
        // EIP-7702: chainId 0 is valid on every chain, so it is on none of the listed ones for sure.
        if (chainId === 0) return unknown("an authorization for chain 0 is valid on every chain");
        if (!rule.chainIds.includes(chainId)) return `chain ${chainId} is not ${listed(rule.chainIds)}`;
      }
      if (rule.to !== undefined && !rule.to.includes(address.toLowerCase() as Hex)) {
        return `delegate ${address.toLowerCase()} is not ${listed(rule.to)}`;
      }
      return undefined;
    }
  }
}

function transactionMismatch(rule: PolicyDocumentRule, tx: TransactionFacts, unknown: (reason: string) => string | undefined): string | undefined {
  if (tx.blob && (rule.effect === "allow" ? rule.blobs !== true : rule.blobs === false)) {
    return rule.effect === "allow" ? "a blob transaction needs a rule with blobs: true" : "a blob transaction (the rule says blobs: false)";
  }
  if (rule.chainIds !== undefined) {
    if (tx.chainId === undefined) return unknown("the transaction has no chainId");
    if (!rule.chainIds.includes(tx.chainId)) return `chain ${tx.chainId} is not ${listed(rule.chainIds)}`;
  }
  if (rule.create === true && tx.to !== undefined) return "the transaction is not a contract creation";
  if (rule.create === false && tx.to === undefined) return "contract creation is not allowed";
  if (rule.to !== undefined) {
    if (tx.to === undefined) return "a contract creation has no recipient";
    if (!rule.to.includes(tx.to)) return `to ${tx.to} is not ${listed(rule.to)}`;
  }
  if (rule.maxValue !== undefined && tx.value > rule.maxValue) return `value ${tx.value} wei is above maxValue ${rule.maxValue}`;
  if (rule.selectors !== undefined && (tx.selector === undefined || !rule.selectors.includes(tx.selector))) {
    return tx.selector === "0x" ? "the transaction has no calldata" : `selector ${tx.selector ?? "(calldata shorter than 4 bytes)"} is not ${listed(rule.selectors)}`;
  }
  if (rule.erc20 !== undefined) {
    const call = tx.erc20;
    if (call === undefined) return "the calldata is not an ERC-20 transfer, approve or transferFrom";
    const { recipients, maxAmount, allowUnlimitedApproval } = rule.erc20;
    const party = call.fn === "approve" ? "spender" : "recipient";
    if (recipients !== undefined && !recipients.includes(call.recipient)) return `ERC-20 ${call.fn} ${party} ${call.recipient} is not ${listed(recipients)}`;
    const unlimited = call.fn === "approve" && call.amount >= UNLIMITED_APPROVAL;
    if (unlimited && rule.effect === "allow" && allowUnlimitedApproval !== true) {
      return "an unlimited ERC-20 approval (amount ≥ 2^255) needs allowUnlimitedApproval: true";
    }
    if (maxAmount !== undefined && !(unlimited && allowUnlimitedApproval === true) && call.amount > maxAmount) {
      return `ERC-20 ${call.fn} amount ${call.amount} is above maxAmount ${maxAmount}`;
    }
  }
  if (rule.maxFeePerGas !== undefined) {
    if (tx.feePerGas === undefined) return unknown("the transaction has no maxFeePerGas or gasPrice");
    if (tx.feePerGas > rule.maxFeePerGas) return `fee per gas ${tx.feePerGas} wei is above maxFeePerGas ${rule.maxFeePerGas}`;
  }
  if (rule.maxGas !== undefined) {
    if (tx.gas === undefined) return unknown("the transaction has no gas limit");
    if (tx.gas > rule.maxGas) return `gas ${tx.gas} is above maxGas ${rule.maxGas}`;
  }
  if (rule.maxFee !== undefined) {
    if (tx.fee === undefined) return unknown("the transaction's maximum fee cannot be computed (gas or fees missing)");
    if (tx.fee > rule.maxFee) return `maximum fee ${tx.fee} wei (gas × fee per gas + blob gas × blob fee) is above maxFee ${rule.maxFee}`;
  }
  return undefined;
}

/** A typed-data integer as parseTypedData lets it through: a safe number, a bigint, or a decimal or hex string. */
function integer(value: unknown): bigint | undefined {
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "bigint") return value;
  if (typeof value === "string" && /^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(value)) return BigInt(value);
  return undefined;
}

function listed(values: readonly unknown[]): string {
  if (values.length === 1) return String(values[0]);
  const shown = values.slice(0, 3).map(String).join(", ");
  return `one of the ${values.length} listed (${shown}${values.length > 3 ? ", …" : ""})`;
}

function describeAction(action: PolicyRequest["action"]): string {
  return action === "typedData" ? "typed data request" : `${action} request`;
}
