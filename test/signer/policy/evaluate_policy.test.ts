import { test } from "uvu";
import * as assert from "uvu/assert";
import { encodeFunctionData, erc20Abi, maxUint256, numberToHex, stringToBytes, type Hex, type TypedDataDefinition } from "viem";
import { evaluatePolicy } from "../../../signer/policy/evaluate_policy.ts";
import { parsePolicyDocument } from "../../../signer/policy/parse_policy_document.ts";
import type { PolicyDecision, PolicyRequest } from "../../../signer/policy/policy_types.ts";
import { parseTransaction } from "../../../signer/signing/parse_transaction.ts";
import { ALICE, BOB, NOW, PERMIT_CONTRACT, TOKEN, exampleDocument, other } from "./policy_fixtures.ts";

const ETH = 10n ** 18n;
const hex = (n: bigint | number) => numberToHex(n);

function policy(rules: unknown[], extra: Record<string, unknown> = {}) {
  return parsePolicyDocument(exampleDocument({ rules, ...extra }), { now: NOW });
}

/** A transaction request in JSON-RPC form, validated as the signer validates it. */
function tx(fields: Record<string, unknown> = {}): PolicyRequest {
  return {
    action: "transaction",
    transaction: parseTransaction({
      type: "0x2", chainId: hex(31337), nonce: "0x0", gas: hex(21000), maxFeePerGas: hex(10n ** 9n), maxPriorityFeePerGas: "0x1",
      to: ALICE, value: hex(ETH / 2n), ...fields,
    }),
  };
}
const transfer = (to: Hex, amount: bigint) => encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to, amount] });
const approve = (spender: Hex, amount: bigint) => encodeFunctionData({ abi: erc20Abi, functionName: "approve", args: [spender, amount] });
const transferFrom = (from: Hex, to: Hex, amount: bigint) => encodeFunctionData({ abi: erc20Abi, functionName: "transferFrom", args: [from, to, amount] });
const message = (text: string): PolicyRequest => ({ action: "message", message: stringToBytes(text) });
function typedData(domain: Record<string, unknown>, primaryType = "Permit"): PolicyRequest {
  return {
    action: "typedData",
    typedData: { domain, types: { Permit: [{ name: "value", type: "uint256" }], Other: [{ name: "x", type: "uint256" }] }, primaryType, message: { value: 1n } } as unknown as TypedDataDefinition,
  };
}
const authorization = (chainId: number, address: Hex): PolicyRequest => ({ action: "authorization", authorization: { chainId, address, nonce: 0 } });

function allowed(decision: PolicyDecision, rule: string) {
  assert.equal(decision, { allowed: true, rule });
}
function refused(decision: PolicyDecision, rule: string, reason?: RegExp) {
  assert.is(decision.allowed, false, JSON.stringify(decision));
  assert.is(decision.rule, rule);
  if (reason && !decision.allowed) assert.match(decision.reason, reason);
}

const example = parsePolicyDocument(exampleDocument(), { now: NOW });

test("evaluatePolicy() on the issue's example: pay-alice allows up to 1 ETH to Alice on 31337 without calldata", () => {
  allowed(evaluatePolicy(example, tx(), NOW), "pay-alice");
  allowed(evaluatePolicy(example, tx({ value: hex(ETH) }), NOW), "pay-alice");
  refused(evaluatePolicy(example, tx({ value: hex(ETH + 1n) }), NOW), "no-allow-rule", /pay-alice: value 1000000000000000001 wei is above maxValue 1000000000000000000/);
  refused(evaluatePolicy(example, tx({ to: BOB }), NOW), "no-allow-rule", /pay-alice: to 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc is not 0x7099/);
  refused(evaluatePolicy(example, tx({ chainId: "0x1" }), NOW), "no-allow-rule", /chain 1 is not 31337/);
  refused(evaluatePolicy(example, tx({ data: "0x1234" }), NOW), "no-allow-rule", /selector \(calldata shorter than 4 bytes\)/);
});

test("evaluatePolicy() on the issue's example: usdc allows transfers to Bob up to 5000000", () => {
  allowed(evaluatePolicy(example, tx({ to: TOKEN, value: "0x0", data: transfer(BOB, 5_000_000n) }), NOW), "usdc");
  refused(evaluatePolicy(example, tx({ to: TOKEN, value: "0x0", data: transfer(BOB, 5_000_001n) }), NOW), "no-allow-rule", /usdc: ERC-20 transfer amount 5000001 is above maxAmount 5000000/);
  refused(evaluatePolicy(example, tx({ to: TOKEN, value: "0x0", data: transfer(ALICE, 1n) }), NOW), "no-allow-rule", /recipient 0x7099.* is not 0x3c44/);
  // approve's selector is not listed in the rule's selectors.
  refused(evaluatePolicy(example, tx({ to: TOKEN, value: "0x0", data: approve(BOB, 1n) }), NOW), "no-allow-rule", /selector 0x095ea7b3 is not 0xa9059cbb/);
});

test("evaluatePolicy() on the issue's example: messages denied, permits allowed only on the listed contract and chain", () => {
  refused(evaluatePolicy(example, message("hello"), NOW), "no-messages", /deny rule no-messages matches this message request/);
  allowed(evaluatePolicy(example, typedData({ chainId: 31337, verifyingContract: PERMIT_CONTRACT }), NOW), "permits");
  allowed(evaluatePolicy(example, typedData({ chainId: "0x7a69", verifyingContract: PERMIT_CONTRACT.toLowerCase() }), NOW), "permits");
  refused(evaluatePolicy(example, typedData({ chainId: 1, verifyingContract: PERMIT_CONTRACT }), NOW), "no-allow-rule", /domain.chainId 1 is not 31337/);
  refused(evaluatePolicy(example, typedData({ chainId: 31337, verifyingContract: TOKEN }), NOW), "no-allow-rule", /verifyingContract/);
  refused(evaluatePolicy(example, typedData({ chainId: 31337, verifyingContract: PERMIT_CONTRACT }, "Other"), NOW), "no-allow-rule", /primaryType "Other" is not Permit/);
  refused(evaluatePolicy(example, typedData({ verifyingContract: PERMIT_CONTRACT }), NOW), "no-allow-rule", /domain has no chainId/);
  refused(evaluatePolicy(example, authorization(31337, ALICE), NOW), "no-allow-rule", /no rule allows any authorization request/);
});

test("evaluatePolicy() refuses everything past notAfter with `expired`, and allows at notAfter itself", () => {
  refused(evaluatePolicy(example, tx(), example.notAfter + 1), "expired", /expired at 2027-06-01T00:00:00.000Z/);
  allowed(evaluatePolicy(example, tx(), example.notAfter), "pay-alice");
  refused(evaluatePolicy(example, message("x"), example.notAfter + 1), "expired");
});

test("evaluatePolicy(): a matching deny rule wins over an earlier allow rule, and the first matching allow rule decides", () => {
  const doc = policy([
    { id: "any-tx", effect: "allow", action: "transaction" },
    { id: "also-any", effect: "allow", action: "transaction", chainIds: [31337] },
    { id: "not-bob", effect: "deny", action: "transaction", to: [BOB] },
  ]);
  allowed(evaluatePolicy(doc, tx(), NOW), "any-tx");
  refused(evaluatePolicy(doc, tx({ to: BOB }), NOW), "not-bob", /deny rule not-bob/);
});

test("evaluatePolicy() chainIds, to and create for transactions", () => {
  const doc = policy([
    { id: "deploy", effect: "allow", action: "transaction", create: true, chainIds: [1, 31337] },
    { id: "calls", effect: "allow", action: "transaction", create: false, to: [ALICE, BOB] },
  ]);
  allowed(evaluatePolicy(doc, tx({ to: null, data: "0x6080" }), NOW), "deploy");
  allowed(evaluatePolicy(doc, tx({ to: BOB }), NOW), "calls");
  refused(evaluatePolicy(doc, tx({ to: TOKEN }), NOW), "no-allow-rule", /deploy: the transaction is not a contract creation; calls: to 0x5fbdb2315678afecb367f032d93f642f64180aa3 is not one of the 2 listed/);
  refused(evaluatePolicy(doc, tx({ to: null, chainId: "0x5" }), NOW), "no-allow-rule", /deploy: chain 5 is not one of the 2 listed.*calls: contract creation is not allowed/);
  const noCreate = policy([{ id: "to-alice", effect: "allow", action: "transaction", to: [ALICE] }]);
  refused(evaluatePolicy(noCreate, tx({ to: null }), NOW), "no-allow-rule", /a contract creation has no recipient/);
  const denyCreate = policy([{ id: "any", effect: "allow", action: "transaction" }, { id: "no-deploy", effect: "deny", action: "transaction", create: true }]);
  refused(evaluatePolicy(denyCreate, tx({ to: null }), NOW), "no-deploy");
  allowed(evaluatePolicy(denyCreate, tx(), NOW), "any");
});

test("evaluatePolicy() selectors: \"0x\" is no calldata, others the first 4 bytes", () => {
  const doc = policy([{ id: "s", effect: "allow", action: "transaction", selectors: ["0x", "0xa9059cbb"] }]);
  allowed(evaluatePolicy(doc, tx(), NOW), "s");
  allowed(evaluatePolicy(doc, tx({ data: "0x" }), NOW), "s");
  allowed(evaluatePolicy(doc, tx({ data: "0xA9059CBB00" }), NOW), "s");
  refused(evaluatePolicy(doc, tx({ data: "0xdeadbeef" }), NOW), "no-allow-rule", /selector 0xdeadbeef is not one of the 2 listed/);
  const callsOnly = policy([{ id: "c", effect: "allow", action: "transaction", selectors: ["0xdeadbeef"] }]);
  refused(evaluatePolicy(callsOnly, tx(), NOW), "no-allow-rule", /has no calldata/);
});

test("evaluatePolicy() erc20: transfer, approve and transferFrom recipients and amounts", () => {
  const doc = policy([{ id: "t", effect: "allow", action: "transaction", to: [TOKEN], erc20: { maxAmount: "100", recipients: [BOB] } }]);
  const call = (data: Hex) => evaluatePolicy(doc, tx({ to: TOKEN, value: "0x0", data }), NOW);
  allowed(call(transfer(BOB, 100n)), "t");
  allowed(call(approve(BOB, 1n)), "t");
  allowed(call(transferFrom(other.address, BOB, 100n)), "t");
  refused(call(transferFrom(BOB, ALICE, 1n)), "no-allow-rule", /transferFrom recipient 0x7099/);
  refused(call(approve(ALICE, 1n)), "no-allow-rule", /approve spender 0x7099/);
  refused(call(transferFrom(other.address, BOB, 101n)), "no-allow-rule", /amount 101 is above maxAmount 100/);
  // Not a decodable ERC-20 call of the three: other functions, truncated or padded calldata, plain ETH.
  refused(call(encodeFunctionData({ abi: erc20Abi, functionName: "balanceOf", args: [BOB] })), "no-allow-rule", /not an ERC-20 transfer, approve or transferFrom/);
  refused(call(transfer(BOB, 1n).slice(0, -2) as Hex), "no-allow-rule", /not an ERC-20/);
  refused(call(`${transfer(BOB, 1n)}00` as Hex), "no-allow-rule", /not an ERC-20/);
  refused(call("0x"), "no-allow-rule", /not an ERC-20/);
});

test("evaluatePolicy() erc20: an unlimited approval (≥ 2^255) only with allowUnlimitedApproval", () => {
  const strict = policy([{ id: "t", effect: "allow", action: "transaction", erc20: { recipients: [BOB] } }]);
  const loose = policy([{ id: "u", effect: "allow", action: "transaction", erc20: { maxAmount: "10", allowUnlimitedApproval: true } }]);
  const call = (doc: ReturnType<typeof policy>, data: Hex) => evaluatePolicy(doc, tx({ to: TOKEN, value: "0x0", data }), NOW);
  refused(call(strict, approve(BOB, maxUint256)), "no-allow-rule", /unlimited ERC-20 approval \(amount ≥ 2\^255\) needs allowUnlimitedApproval: true/);
  refused(call(strict, approve(BOB, 1n << 255n)), "no-allow-rule", /unlimited/);
  allowed(call(strict, approve(BOB, (1n << 255n) - 1n)), "t");
  allowed(call(strict, transfer(BOB, maxUint256)), "t"); // a transfer is never an approval
  allowed(call(loose, approve(ALICE, maxUint256)), "u");
  allowed(call(loose, approve(ALICE, 10n)), "u");
  refused(call(loose, approve(ALICE, 11n)), "no-allow-rule", /amount 11 is above maxAmount 10/);
  // A deny rule on a spender catches its unlimited approvals too.
  const denied = policy([
    { id: "u", effect: "allow", action: "transaction", erc20: { allowUnlimitedApproval: true } },
    { id: "not-alice", effect: "deny", action: "transaction", erc20: { recipients: [ALICE] } },
  ]);
  refused(call(denied, approve(ALICE, maxUint256)), "not-alice");
  allowed(call(denied, approve(BOB, maxUint256)), "u");
});

test("evaluatePolicy() fee caps: maxFeePerGas, maxGas and maxFee (gas × fee per gas)", () => {
  const doc = policy([{ id: "f", effect: "allow", action: "transaction", maxFeePerGas: "2000000000", maxGas: "100000", maxFee: "100000000000000" }]);
  allowed(evaluatePolicy(doc, tx({ gas: hex(50000), maxFeePerGas: hex(2n * 10n ** 9n) }), NOW), "f"); // fee 1e14 = cap
  refused(evaluatePolicy(doc, tx({ maxFeePerGas: hex(2n * 10n ** 9n + 1n) }), NOW), "no-allow-rule", /fee per gas 2000000001 wei is above maxFeePerGas 2000000000/);
  refused(evaluatePolicy(doc, tx({ gas: hex(100001) }), NOW), "no-allow-rule", /gas 100001 is above maxGas 100000/);
  refused(evaluatePolicy(doc, tx({ gas: hex(60000), maxFeePerGas: hex(2n * 10n ** 9n) }), NOW), "no-allow-rule", /maximum fee 120000000000000 wei .* is above maxFee 100000000000000/);
  // Legacy transactions: gasPrice is the fee per gas.
  const legacy = (gasPrice: bigint) => tx({ type: "0x0", gasPrice: hex(gasPrice), maxFeePerGas: undefined, maxPriorityFeePerGas: undefined });
  allowed(evaluatePolicy(doc, legacy(2n * 10n ** 9n), NOW), "f");
  refused(evaluatePolicy(doc, legacy(3n * 10n ** 9n), NOW), "no-allow-rule", /fee per gas 3000000000/);
});

test("evaluatePolicy() blobs: a blob transaction needs blobs: true, and maxFee counts 131072 blob gas per hash", () => {
  const hash = `0x01${"ab".repeat(31)}`;
  const blobTx = (hashes: number, maxFeePerBlobGas: bigint) => tx({
    type: "0x3", to: ALICE, value: "0x0", gas: hex(21000), maxFeePerGas: hex(1), maxPriorityFeePerGas: hex(1),
    blobVersionedHashes: Array(hashes).fill(hash), maxFeePerBlobGas: hex(maxFeePerBlobGas),
  });
  const noBlobs = policy([{ id: "plain", effect: "allow", action: "transaction" }]);
  refused(evaluatePolicy(noBlobs, blobTx(1, 1n), NOW), "no-allow-rule", /a blob transaction needs a rule with blobs: true/);
  const explicitNo = policy([{ id: "plain", effect: "allow", action: "transaction", blobs: false }]);
  refused(evaluatePolicy(explicitNo, blobTx(1, 1n), NOW), "no-allow-rule", /blobs: true/);
  allowed(evaluatePolicy(explicitNo, tx(), NOW), "plain");
  // 21000 × 1 + 2 × 131072 × 10 = 2642440
  const capped = policy([{ id: "blobs", effect: "allow", action: "transaction", blobs: true, maxFee: "2642440" }]);
  allowed(evaluatePolicy(capped, blobTx(2, 10n), NOW), "blobs");
  allowed(evaluatePolicy(capped, tx({ maxFeePerGas: hex(1), maxPriorityFeePerGas: hex(1) }), NOW), "blobs");
  refused(evaluatePolicy(capped, blobTx(2, 11n), NOW), "no-allow-rule", /maximum fee 2904584 wei/);
  // A deny rule catches blob transactions unless it says blobs: false.
  const deny = policy([{ id: "blobs", effect: "allow", action: "transaction", blobs: true }, { id: "no-alice", effect: "deny", action: "transaction", to: [ALICE] }]);
  refused(evaluatePolicy(deny, blobTx(1, 1n), NOW), "no-alice");
  const denyPlainOnly = policy([{ id: "blobs", effect: "allow", action: "transaction", blobs: true }, { id: "no-alice", effect: "deny", action: "transaction", to: [ALICE], blobs: false }]);
  allowed(evaluatePolicy(denyPlainOnly, blobTx(1, 1n), NOW), "blobs");
  refused(evaluatePolicy(denyPlainOnly, tx(), NOW), "no-alice");
});

test("evaluatePolicy() fails closed on facts a request leaves out: allow conditions fail, deny conditions hold", () => {
  const bare: PolicyRequest = { action: "transaction", transaction: { to: ALICE, value: 1n } };
  const allow = policy([{ id: "capped", effect: "allow", action: "transaction", maxGas: "100000", chainIds: [1] }]);
  refused(evaluatePolicy(allow, bare, NOW), "no-allow-rule", /no chainId/);
  const deny = policy([
    { id: "any", effect: "allow", action: "transaction" },
    { id: "big-fees", effect: "deny", action: "transaction", maxFee: "1" },
  ]);
  refused(evaluatePolicy(deny, bare, NOW), "big-fees");
  const denyChain = policy([{ id: "any", effect: "allow", action: "typedData" }, { id: "not-mainnet", effect: "deny", action: "typedData", domain: { chainId: 1 } }]);
  refused(evaluatePolicy(denyChain, typedData({ name: "x" }), NOW), "not-mainnet");
  allowed(evaluatePolicy(denyChain, typedData({ chainId: 10 }), NOW), "any");
});

test("evaluatePolicy() messages: allowed, or only with a UTF-8 prefix", () => {
  const doc = policy([{ id: "login", effect: "allow", action: "message", prefix: "Sign in ✓" }]);
  allowed(evaluatePolicy(doc, message("Sign in ✓ at 12:00"), NOW), "login");
  allowed(evaluatePolicy(doc, message("Sign in ✓"), NOW), "login");
  refused(evaluatePolicy(doc, message("Sign in"), NOW), "no-allow-rule", /does not start with "Sign in ✓"/);
  refused(evaluatePolicy(doc, { action: "message", message: new Uint8Array([0xff, 0x00]) }, NOW), "no-allow-rule");
  allowed(evaluatePolicy(policy([{ id: "all", effect: "allow", action: "message" }]), { action: "message", message: new Uint8Array() }, NOW), "all");
});

test("evaluatePolicy() typed data: domain name and primaryTypes", () => {
  const doc = policy([{ id: "p", effect: "allow", action: "typedData", domain: { name: "USD Coin" }, primaryTypes: ["Permit", "Other"] }]);
  allowed(evaluatePolicy(doc, typedData({ name: "USD Coin" }, "Other"), NOW), "p");
  refused(evaluatePolicy(doc, typedData({ name: "USD Coin " }), NOW), "no-allow-rule", /domain.name "USD Coin " is not "USD Coin"/);
  refused(evaluatePolicy(doc, typedData({}), NOW), "no-allow-rule", /no name/);
});

test("evaluatePolicy() authorizations: chainIds and allowed delegates; chain 0 never matches an allow list", () => {
  const doc = policy([{ id: "delegate", effect: "allow", action: "authorization", chainIds: [31337], to: [BOB] }]);
  allowed(evaluatePolicy(doc, authorization(31337, BOB.toLowerCase() as Hex), NOW), "delegate");
  refused(evaluatePolicy(doc, authorization(1, BOB), NOW), "no-allow-rule", /chain 1 is not 31337/);
  refused(evaluatePolicy(doc, authorization(31337, ALICE), NOW), "no-allow-rule", /delegate 0x7099.* is not 0x3c44/);
  refused(evaluatePolicy(doc, authorization(0, BOB), NOW), "no-allow-rule", /chain 0 is valid on every chain/);
  const deny = policy([{ id: "any", effect: "allow", action: "authorization" }, { id: "no-mainnet", effect: "deny", action: "authorization", chainIds: [1] }]);
  refused(evaluatePolicy(deny, authorization(0, BOB), NOW), "no-mainnet");
  allowed(evaluatePolicy(deny, authorization(10, BOB), NOW), "any");
});

test("evaluatePolicy() rules of other actions never decide", () => {
  const doc = policy([{ id: "m", effect: "allow", action: "message" }, { id: "d", effect: "deny", action: "transaction" }]);
  allowed(evaluatePolicy(doc, message("x"), NOW), "m");
  refused(evaluatePolicy(doc, tx(), NOW), "d");
  refused(evaluatePolicy(doc, authorization(1, BOB), NOW), "no-allow-rule");
});

test("evaluatePolicy() explains at most 3 rules in a no-allow-rule reason", () => {
  const doc = policy(Array.from({ length: 5 }, (_, i) => ({ id: `r${i}`, effect: "allow", action: "transaction", chainIds: [i + 1] })));
  const decision = evaluatePolicy(doc, tx(), NOW);
  refused(decision, "no-allow-rule", /r0: chain 31337 is not 1; r1: .*; r2: .*; and 2 more rules\)$/);
});

test("evaluatePolicy() with a 20-rule policy: timing reported, not asserted", () => {
  const rules = [
    ...Array.from({ length: 18 }, (_, i) => ({
      id: `tok-${i}`, effect: "allow", action: "transaction", chainIds: [31337], to: [TOKEN], selectors: ["0xa9059cbb"],
      erc20: { maxAmount: String(10 ** 6 * (i + 1)), recipients: [BOB] }, maxFee: String(10n ** 16n),
    })),
    { id: "no-bob-eth", effect: "deny", action: "transaction", to: [BOB], selectors: ["0x"] },
    { id: "pay-alice", effect: "allow", action: "transaction", chainIds: [31337], to: [ALICE], maxValue: String(ETH), selectors: ["0x"], maxFee: String(10n ** 16n) },
  ];
  const doc = policy(rules);
  const request = tx(); // matches only the last rule: every other one is tried first
  allowed(evaluatePolicy(doc, request, NOW), "pay-alice");
  const n = 20000;
  const started = performance.now();
  for (let i = 0; i < n; i++) evaluatePolicy(doc, request, NOW);
  const us = ((performance.now() - started) * 1000) / n;
  console.log(`evaluatePolicy(): 20 rules, last one matching: ${us.toFixed(1)} µs per evaluation (${Math.round(1e6 / us)}/s)`);
});

// ── Exact reasons and edges (issue 20: mutants that survived) ──

/** A transaction as a caller's object may leave facts out (no type, gas or fees): parseTransaction is not in the way. */
const rawTx = (fields: Record<string, unknown>): PolicyRequest => ({ action: "transaction", transaction: { chainId: 31337, to: ALICE, value: 1n, ...fields } as never });
const reasonOf = (decision: PolicyDecision) => (decision.allowed ? "(allowed)" : `${decision.rule}: ${decision.reason}`);

test("evaluatePolicy() explains up to 3 missed allow rules, counts the rest, and never lists deny rules", () => {
  const capped = (id: string) => ({ id, effect: "allow", action: "transaction", maxValue: "1" });
  const request = rawTx({ value: 2n });
  const miss = (id: string) => `${id}: value 2 wei is above maxValue 1`;
  assert.is(reasonOf(evaluatePolicy(policy([capped("a")]), request, NOW)), `no-allow-rule: no allow rule matches this transaction request (${miss("a")})`);
  assert.is(reasonOf(evaluatePolicy(policy(["a", "b", "c"].map(capped)), request, NOW)), `no-allow-rule: no allow rule matches this transaction request (${miss("a")}; ${miss("b")}; ${miss("c")})`);
  assert.is(
    reasonOf(evaluatePolicy(policy(["a", "b", "c", "d", "e"].map(capped)), request, NOW)),
    `no-allow-rule: no allow rule matches this transaction request (${miss("a")}; ${miss("b")}; ${miss("c")}; and 2 more rules)`,
  );
  const withDeny = policy([{ id: "deny-bob", effect: "deny", action: "transaction", to: [BOB] }, capped("a")]);
  assert.is(reasonOf(evaluatePolicy(withDeny, request, NOW)), `no-allow-rule: no allow rule matches this transaction request (${miss("a")})`);
  assert.is(reasonOf(evaluatePolicy(policy([{ id: "m", effect: "deny", action: "message" }]), message("x"), NOW)), "m: deny rule m matches this message request");
  assert.is(reasonOf(evaluatePolicy(policy([capped("a")]), typedData({}), NOW)), "no-allow-rule: no rule allows any typed data request");
  assert.is(reasonOf(evaluatePolicy(policy([capped("a")]), message("x"), NOW)), "no-allow-rule: no rule allows any message request");
});

test("evaluatePolicy() lists one value as itself, up to 3 in full, more with an ellipsis", () => {
  const request = rawTx({ chainId: 5 });
  const chains = (ids: number[]) => reasonOf(evaluatePolicy(policy([{ id: "r", effect: "allow", action: "transaction", chainIds: ids }]), request, NOW));
  assert.is(chains([1]), "no-allow-rule: no allow rule matches this transaction request (r: chain 5 is not 1)");
  assert.is(chains([1, 2]), "no-allow-rule: no allow rule matches this transaction request (r: chain 5 is not one of the 2 listed (1, 2))");
  assert.is(chains([1, 2, 3]), "no-allow-rule: no allow rule matches this transaction request (r: chain 5 is not one of the 3 listed (1, 2, 3))");
  assert.is(chains([1, 2, 3, 4]), "no-allow-rule: no allow rule matches this transaction request (r: chain 5 is not one of the 4 listed (1, 2, 3, …))");
});

test("evaluatePolicy() fee caps: absent caps ask nothing; a cap on a fact the transaction leaves out refuses (allow) with its reason", () => {
  const open = policy([{ id: "open", effect: "allow", action: "transaction" }]);
  allowed(evaluatePolicy(open, rawTx({}), NOW), "open"); // no gas, no fees, no type
  const rule = (caps: Record<string, unknown>) => policy([{ id: "cap", effect: "allow", action: "transaction", ...caps }]);
  const why = (caps: Record<string, unknown>, fields: Record<string, unknown>) => reasonOf(evaluatePolicy(rule(caps), rawTx(fields), NOW));
  const prefix = "no-allow-rule: no allow rule matches this transaction request (cap: ";
  assert.is(why({ maxFeePerGas: "10" }, { gas: 21000n }), `${prefix}the transaction has no maxFeePerGas or gasPrice)`);
  assert.is(why({ maxGas: "21000" }, { maxFeePerGas: 1n }), `${prefix}the transaction has no gas limit)`);
  assert.is(why({ maxFee: "21000" }, { maxFeePerGas: 1n }), `${prefix}the transaction's maximum fee cannot be computed (gas or fees missing))`);
  assert.is(why({ maxFee: "21000" }, { gas: 21000n }), `${prefix}the transaction's maximum fee cannot be computed (gas or fees missing))`);
  // maxGas and maxFee are inclusive; a legacy gasPrice is the fee per gas.
  assert.is(why({ maxGas: "21000" }, { gas: 21000n }), "(allowed)");
  assert.is(why({ maxGas: "21000" }, { gas: 21001n }), `${prefix}gas 21001 is above maxGas 21000)`);
  assert.is(why({ maxFee: "42000" }, { gas: 21000n, gasPrice: 2n }), "(allowed)");
  assert.is(why({ maxFee: "41999" }, { gas: 21000n, gasPrice: 2n }), `${prefix}maximum fee 42000 wei (gas × fee per gas + blob gas × blob fee) is above maxFee 41999)`);
});

test("evaluatePolicy() knows a blob transaction by its type or by its hashes, and adds blob gas to the fee", () => {
  const noBlobs = policy([{ id: "plain", effect: "allow", action: "transaction" }]);
  const needs = "no-allow-rule: no allow rule matches this transaction request (plain: a blob transaction needs a rule with blobs: true)";
  assert.is(reasonOf(evaluatePolicy(noBlobs, rawTx({ type: "eip4844" }), NOW)), needs);
  assert.is(reasonOf(evaluatePolicy(noBlobs, rawTx({ blobVersionedHashes: [`0x01${"00".repeat(31)}`] }), NOW)), needs);
  assert.is(reasonOf(evaluatePolicy(noBlobs, rawTx({ type: "eip1559" }), NOW)), "(allowed)");
  const blobs = (maxFee: string) => policy([{ id: "blobs", effect: "allow", action: "transaction", blobs: true, maxFee }]);
  const twoBlobs = { type: "eip4844", gas: 21000n, maxFeePerGas: 1n, blobVersionedHashes: [`0x01${"00".repeat(31)}`, `0x01${"11".repeat(31)}`] };
  // 21000 × 1 + 2 × 131072 × 3 = 807432.
  assert.is(reasonOf(evaluatePolicy(blobs("807432"), rawTx({ ...twoBlobs, maxFeePerBlobGas: 3n }), NOW)), "(allowed)");
  assert.match(reasonOf(evaluatePolicy(blobs("807431"), rawTx({ ...twoBlobs, maxFeePerBlobGas: 3n }), NOW)), /maximum fee 807432 wei/);
  assert.match(reasonOf(evaluatePolicy(blobs("807432"), rawTx(twoBlobs), NOW)), /blobs: the transaction's maximum fee cannot be computed/);
});

test("evaluatePolicy() message rules: no prefix allows any message; a prefix must match byte for byte from the start", () => {
  allowed(evaluatePolicy(policy([{ id: "any", effect: "allow", action: "message" }]), message("hello"), NOW), "any");
  const prefixed = policy([{ id: "login", effect: "allow", action: "message", prefix: "abc" }]);
  allowed(evaluatePolicy(prefixed, message("abcdef"), NOW), "login");
  allowed(evaluatePolicy(prefixed, message("abc"), NOW), "login");
  for (const text of ["xyz123", "axx", "ab", "xabc"]) {
    assert.is(reasonOf(evaluatePolicy(prefixed, message(text), NOW)), 'no-allow-rule: no allow rule matches this message request (login: the message does not start with "abc")', text);
  }
});

test("evaluatePolicy() typed data: chainId as number, bigint, decimal or hex string; anything else is no chainId; reasons cut long names", () => {
  const rule = policy([{ id: "t", effect: "allow", action: "typedData", domain: { chainId: 31337 } }]);
  for (const chainId of [31337, 31337n, "31337", "0x7a69", "0x7A69"]) allowed(evaluatePolicy(rule, typedData({ chainId }), NOW), "t");
  const noChainId = "no-allow-rule: no allow rule matches this typed data request (t: the typed data's domain has no chainId)";
  // ["31337"] reads as "31337" to String() and BigInt(): only a real string counts.
  for (const chainId of [undefined, 1.5, "abc", "x31337", "31337x", `0x${"0".repeat(65)}`, "1".repeat(79), "", true, ["31337"]]) {
    assert.is(reasonOf(evaluatePolicy(rule, typedData({ chainId }), NOW)), noChainId, String(chainId));
  }
  const contract = policy([{ id: "c", effect: "allow", action: "typedData", domain: { verifyingContract: PERMIT_CONTRACT } }]);
  assert.is(reasonOf(evaluatePolicy(contract, typedData({}), NOW)), "no-allow-rule: no allow rule matches this typed data request (c: the typed data's domain has no verifyingContract)");
  assert.is(
    reasonOf(evaluatePolicy(contract, typedData({ verifyingContract: TOKEN }), NOW)),
    `no-allow-rule: no allow rule matches this typed data request (c: domain.verifyingContract ${TOKEN.toLowerCase()} is not ${PERMIT_CONTRACT.toLowerCase()})`,
  );
  const long = "N".repeat(100);
  const named = policy([{ id: "n", effect: "allow", action: "typedData", domain: { name: "USD Coin" }, primaryTypes: ["Permit"] }]);
  assert.is(reasonOf(evaluatePolicy(named, typedData({ name: long }), NOW)), `no-allow-rule: no allow rule matches this typed data request (n: domain.name "${"N".repeat(59)} is not "USD Coin")`);
  assert.is(
    reasonOf(evaluatePolicy(named, typedData({ name: "USD Coin" }, long), NOW)),
    `no-allow-rule: no allow rule matches this typed data request (n: primaryType "${"N".repeat(59)} is not Permit)`,
  );
});

test("evaluatePolicy() an unlimited approval is above a deny rule's maxAmount (only allow rules take allowUnlimitedApproval)", () => {
  const request = tx({ to: TOKEN, value: "0x0", data: approve(BOB, maxUint256) });
  const allowUnlimited = { id: "ok", effect: "allow", action: "transaction", erc20: { allowUnlimitedApproval: true } };
  const smallDeny = { id: "small", effect: "deny", action: "transaction", erc20: { maxAmount: "100" } };
  allowed(evaluatePolicy(policy([smallDeny, allowUnlimited]), request, NOW), "ok");
  refused(evaluatePolicy(policy([smallDeny, allowUnlimited]), tx({ to: TOKEN, value: "0x0", data: approve(BOB, 100n) }), NOW), "small");
});

test.run();
