import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { policyApprovalTypedData, policyDigest } from "../signer/mod.ts";
import { BENCH_TRANSFER } from "./measure_raw_sign.ts";

/** Anvil's fourth published dev key: the admin that approves the bench policy. Never a real key. */
export const BENCH_ADMIN_KEY: Hex = "0x7c852118294e51e653712a81e6800f7419141751be58f6c7f2c6b7fd9a07b72b";

/** Rules in the bench policy (issue 12: "one worker, a 20-rule policy"). */
export const BENCH_POLICY_RULES = 20;

/**
 * A 20-rule policy document (format v1) for `account` under which the bench transfer (`BENCH_TRANSFER`, any
 * nonce) is allowed by the last rule only, so that each signature costs the engine the most it can: both deny
 * rules are checked and miss on their last condition (`maxFee`), then 17 allow rules each check chain, creation, recipient,
 * value, selector, fee per gas and gas before missing on `maxFee` (one wei below the transfer's), and the 18th
 * matches with every condition. The two limits (a daily value sum, an hourly count) are far above what a run
 * signs (about 10^5 transfers of 1 wei), so every request is counted in them and none is refused.
 *
 * @example
 * ```ts
 * const document = benchPolicyDocument(account, Date.now());
 * await client.request("policy.apply", await approveBenchPolicy(document));
 * ```
 */
export function benchPolicyDocument(account: Hex, now: number): Record<string, unknown> {
  const { chainId, to, gas, maxFeePerGas, value } = BENCH_TRANSFER;
  const fee = gas * maxFeePerGas;
  const common = {
    action: "transaction",
    chainIds: [1, 10, 8453, chainId],
    create: false,
    to: ["0x90F79bf6EB2c4f870365E785982E1f101E93b906", "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65", to],
    maxValue: (value * 1000n).toString(),
    selectors: ["0xa9059cbb", "0x095ea7b3", "0x"],
    maxFeePerGas: (maxFeePerGas * 2n).toString(),
    maxGas: (gas * 2n).toString(),
  };
  const rules: Record<string, unknown>[] = [
    // Deny rules are all checked first; each holds for the transfer until its last condition (maxFee).
    { id: "deny-low-fee-a", effect: "deny", ...common, maxFee: (fee - 1n).toString() },
    { id: "deny-low-fee-b", effect: "deny", ...common, maxFee: (fee - 2n).toString() },
  ];
  for (let i = 1; rules.length < BENCH_POLICY_RULES - 1; i++) {
    rules.push({ id: `allow-capped-${i}`, effect: "allow", ...common, maxFee: (fee - 1n).toString() });
  }
  rules.push({ id: "allow-bench-transfer", effect: "allow", ...common, maxFee: fee.toString() });
  return {
    version: 1,
    account,
    sequence: 1,
    notAfter: new Date(now + 24 * 3600 * 1000).toISOString(),
    rules,
    limits: [
      { id: "daily-value", window: 86400, maxValue: "1000000000000000000000" },
      { id: "hourly-count", window: 3600, maxCount: 100_000_000 },
    ],
  };
}

/** `policy.apply`'s params for `document`: its JSON text and the bench admin's EIP-712 approval. */
export async function approveBenchPolicy(document: Record<string, unknown>): Promise<{ document: string; approvals: Hex[] }> {
  const admin = privateKeyToAccount(BENCH_ADMIN_KEY);
  const digest = policyDigest(document);
  const approval = await admin.signTypedData(policyApprovalTypedData({ account: document.account as Hex, digest, sequence: document.sequence as number }));
  return { document: JSON.stringify(document), approvals: [approval] };
}

/** The bench admin's address, for `keys.generate`'s governance. */
export function benchAdmin(): Hex {
  return privateKeyToAccount(BENCH_ADMIN_KEY).address;
}
