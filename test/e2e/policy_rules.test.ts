import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createWalletClient, encodeFunctionData, erc20Abi, http, maxUint256, parseEther, parseGwei, toHex, type Hex } from "viem";
import { foundry } from "viem/chains";
import { binaryPath } from "../../local/binaries_node.ts";
import type { SignerMethods } from "../../signer/protocol/messages.ts";
import { errorOf } from "../helpers/error_of.ts";
import { ADMIN_A, ADMIN_B, approve, documentDigest, NEXT_YEAR, rpcRefusal } from "../helpers/policy_admins.ts";
import { call } from "../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "../rpc-proxy/proxy_fixture.ts";

// Every rule kind of a policy document (issue 12, format v1), allowed and refused, through real processes: the
// Deno signer, Anvil and the rpc-proxy, with viem (and cast) as clients; and every refusal again straight over
// the signer's socket, bypassing the proxy (what a compromised parent would do). A refusal is -32050 with
// data.rule and data.reason; for eth_sendTransaction nothing reaches the node. signer_checkPolicy gives the same
// answer as the real request. The limits' windows are in policy_limits.test.ts.
const run = promisify(execFile);
let f: ProxyFixture;
let gov: Hex;
let sequence = 0;

const ALICE: Hex = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"; // Anvil dev #4
const BOB: Hex = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"; // Anvil dev #5
const SPENDER: Hex = "0x976EA74026E726554dB657fA54763abd0C3a0aa9"; // Anvil dev #6
const DELEGATE: Hex = "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955"; // Anvil dev #7
/** Token addresses with no code: the calldata is what the policy decides on, and Anvil mines a call to an EOA. */
const TOKEN: Hex = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const TOKEN2: Hex = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

test.before(async () => {
  f = await startProxyFixture();
  const governance = { admins: [ADMIN_A.address, ADMIN_B.address].map((a) => a.toLowerCase() as Hex), threshold: 2 };
  gov = (await f.signer.request("keys.generate", { label: "governed", governance })).address;
  await call(f.upstreamUrl, "anvil_setBalance", [gov, toHex(100n * 10n ** 18n)]);
});
test.after(() => f.stop());

/** Puts a new policy in force for the governed key (the next sequence, approved by both admins). */
async function applyPolicy(rules: unknown[]): Promise<Hex> {
  const document = { version: 1, account: gov, sequence: ++sequence, notAfter: NEXT_YEAR, rules };
  const applied = await f.signer.request("policy.apply", { document: JSON.stringify(document), approvals: await approve(document, [ADMIN_A, ADMIN_B]) });
  assert.is(applied.digest, documentDigest(document));
  return applied.digest;
}

const wallet = () => createWalletClient({ account: gov, chain: foundry, transport: http(f.url) });
const nonce = () => call<Hex>(f.upstreamUrl, "eth_getTransactionCount", [gov, "pending"]);

/** One request in its three forms: the JSON-RPC call, how viem sends it (optional), and the signer call it makes. */
type Request = {
  rpc?: { method: string; params: unknown[] };
  viem?: () => Promise<unknown>;
  direct: { method: keyof SignerMethods & `sign.${string}`; params: Record<string, unknown> };
};

type Tx = { to?: Hex; value?: bigint; data?: Hex; gas?: bigint; maxFeePerGas?: bigint; chainId?: number; method?: "eth_sendTransaction" | "eth_signTransaction" };

/** A transaction as sent through the proxy (fees and gas given, nonce and chain filled by the proxy) and as the signer signs it. */
function tx(t: Tx): Request {
  const gas = t.gas ?? 100_000n;
  const maxFeePerGas = t.maxFeePerGas ?? parseGwei("2");
  const maxPriorityFeePerGas = parseGwei("1");
  const fields = {
    ...(t.to ? { to: t.to } : {}),
    value: toHex(t.value ?? 0n),
    ...(t.data ? { data: t.data } : {}),
    gas: toHex(gas),
    maxFeePerGas: toHex(maxFeePerGas),
    maxPriorityFeePerGas: toHex(maxPriorityFeePerGas),
  };
  const method = t.method ?? "eth_sendTransaction";
  const viemArgs = { to: t.to ?? null, value: t.value ?? 0n, ...(t.data ? { data: t.data } : {}), gas, maxFeePerGas, maxPriorityFeePerGas };
  return {
    ...(t.chainId === undefined
      ? {
          rpc: { method, params: [{ from: gov, ...fields }] },
          viem: () => (method === "eth_sendTransaction" ? wallet().sendTransaction(viemArgs) : wallet().signTransaction(viemArgs)),
        }
      : {}),
    direct: {
      method: "sign.transaction",
      params: { address: gov, transaction: { type: "0x2", chainId: toHex(t.chainId ?? 31337), nonce: "0x0", ...fields } },
    },
  };
}

/**
 * Refused by `rule`, the same way everywhere: signer_checkPolicy says so (counting nothing), the proxy answers
 * -32050 with data.rule and data.reason, the signer over its socket answers POLICY_REFUSED with the same data,
 * and nothing reached the node.
 */
async function refused(request: Request, rule: string, reason: RegExp): Promise<void> {
  const where = `${request.rpc?.method ?? request.direct.method} (${rule})`;
  const before = await nonce();
  if (request.rpc) {
    const checked = await call(f.url, "signer_checkPolicy", [request.rpc]);
    assert.is(checked.allowed, false, where);
    assert.is(checked.rule, rule, where);
    assert.match(checked.reason, reason, where);
    const refusal = await rpcRefusal(request.viem ? request.viem() : call(f.url, request.rpc.method, request.rpc.params));
    assert.is(refusal.code, -32050, where);
    assert.is(refusal.data.rule, rule, where);
    assert.match(refusal.data.reason, reason, where);
  }
  const checked = await f.signer.request("policy.check", request.direct as never);
  assert.equal({ allowed: checked.allowed, rule: checked.rule }, { allowed: false, rule }, where);
  const error = await errorOf(f.signer.request(request.direct.method, request.direct.params as never));
  assert.is(error.code, "POLICY_REFUSED", `${where}: ${error.message}`);
  const data = (error as unknown as { data: { rule: string; reason: string } }).data;
  assert.is(data.rule, rule, where);
  assert.match(data.reason, reason, where);
  assert.is(await nonce(), before, `${where}: nothing was broadcast`);
}

/** Allowed by `rule`: signer_checkPolicy says so, the proxy signs it (with viem when given), and so does the signer over its socket. */
async function allowed(request: Request, rule: string): Promise<void> {
  const where = `${request.rpc?.method ?? request.direct.method} (${rule})`;
  if (request.rpc) {
    assert.equal(await call(f.url, "signer_checkPolicy", [request.rpc]), { allowed: true, rule }, where);
    const result = await (request.viem ? request.viem() : call(f.url, request.rpc.method, request.rpc.params));
    assert.match(String(result), /^0x[0-9a-f]+$/, where);
  }
  assert.equal(await f.signer.request("policy.check", request.direct as never), { allowed: true, rule }, where);
  const signed = await f.signer.request(request.direct.method, request.direct.params as never);
  assert.ok(signed, where);
}

const message = (text: string): Request => ({
  rpc: { method: "personal_sign", params: [toHex(text), gov] },
  viem: () => wallet().signMessage({ message: text }),
  direct: { method: "sign.message", params: { address: gov, message: new TextEncoder().encode(text) } },
});

const PERMIT_TYPES = {
  Permit: [
    { name: "owner", type: "address" },
    { name: "spender", type: "address" },
    { name: "value", type: "uint256" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
  Mail: [{ name: "contents", type: "string" }],
} as const;
const DOMAIN_TYPES = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
];

function typedData(primaryType: "Permit" | "Mail", domain: { chainId: number; verifyingContract: Hex }, viaProxy = true): Request {
  const fullDomain = { name: "USD Coin", version: "2", ...domain };
  const message = primaryType === "Permit"
    ? { owner: gov, spender: SPENDER, value: 10n, nonce: 0n, deadline: 2n ** 40n }
    : { contents: "hello" };
  const json = {
    types: { EIP712Domain: DOMAIN_TYPES, [primaryType]: PERMIT_TYPES[primaryType] },
    primaryType,
    domain: fullDomain,
    message: Object.fromEntries(Object.entries(message).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
  };
  return {
    ...(viaProxy
      ? {
          rpc: { method: "eth_signTypedData_v4", params: [gov, JSON.stringify(json)] },
          viem: () => wallet().signTypedData({ domain: fullDomain, types: { [primaryType]: PERMIT_TYPES[primaryType] }, primaryType, message } as never),
        }
      : {}),
    direct: { method: "sign.typedData", params: { address: gov, typedData: json } },
  };
}

const authorization = (chainId: number, delegate: Hex): Request => ({
  direct: { method: "sign.authorization", params: { address: gov, authorization: { chainId: toHex(chainId), address: delegate, nonce: "0x0" } } },
});

test("chainIds, to, maxValue and selectors: allowed within the rule, refused outside it (viem and the socket)", async () => {
  await applyPolicy([
    { id: "pay-alice", effect: "allow", action: "transaction", chainIds: [31337], to: [ALICE], maxValue: parseEther("1").toString(), selectors: ["0x"] },
  ]);
  const before = BigInt(await nonce());
  await allowed(tx({ to: ALICE, value: parseEther("0.5") }), "pay-alice");
  assert.is(BigInt(await nonce()), before + 1n, "the allowed send was broadcast");
  await allowed(tx({ to: ALICE, value: parseEther("1"), method: "eth_signTransaction" }), "pay-alice");
  await refused(tx({ to: BOB, value: 1n }), "no-allow-rule", new RegExp(`pay-alice: to ${BOB.toLowerCase()} is not ${ALICE.toLowerCase()}`));
  await refused(tx({ to: ALICE, value: parseEther("1") + 1n }), "no-allow-rule", /pay-alice: value 1000000000000000001 wei is above maxValue 1000000000000000000/);
  await refused(tx({ to: ALICE, value: 1n, data: "0xdeadbeef" }), "no-allow-rule", /pay-alice: selector 0xdeadbeef is not 0x/);
  await refused(tx({ to: ALICE, value: 1n, method: "eth_signTransaction", data: "0x00" }), "no-allow-rule", /pay-alice: selector \(calldata shorter than 4 bytes\)/);
  await refused(tx({ to: ALICE, value: 1n, chainId: 1 }), "no-allow-rule", /pay-alice: chain 1 is not 31337/);
  await refused(tx({ value: 0n, data: "0x6000", method: "eth_signTransaction" }), "no-allow-rule", /pay-alice: a contract creation has no recipient/);
  // Other actions have no rule at all.
  await refused(message("hello"), "no-allow-rule", /no rule allows any message request/);
});

test("cast send through the proxy: allowed to Alice, refused to Bob with -32050 and the reason, nothing broadcast", async () => {
  const cast = (to: Hex) => run(binaryPath("cast"), ["send", "--rpc-url", f.url, "--unlocked", "--from", gov, to, "--value", "0.01ether", "--json"], { timeout: 60_000 });
  const receipt = JSON.parse((await cast(ALICE)).stdout);
  assert.is(receipt.status, "0x1");
  assert.is(receipt.from.toLowerCase(), gov.toLowerCase());
  const before = await nonce();
  const failed = await cast(BOB).then(() => undefined, (error: { code: number; stderr: string }) => error);
  assert.ok(failed, "cast sent a transaction the policy refuses");
  assert.match(failed!.stderr, /-32050/);
  assert.match(failed!.stderr, /Refused by policy: no allow rule matches this transaction request/);
  assert.is(await nonce(), before);
});

test("create: contract creation only where a rule says create: true; create: false refuses it", async () => {
  await applyPolicy([
    { id: "deploy", effect: "allow", action: "transaction", create: true, maxValue: "0" },
    { id: "calls", effect: "allow", action: "transaction", create: false, selectors: ["0xdeadbeef"] },
  ]);
  await allowed(tx({ data: "0x6000", method: "eth_signTransaction" }), "deploy");
  await allowed(tx({ to: BOB, data: "0xdeadbeef" }), "calls");
  await refused(tx({ data: "0xdeadbeef", value: 1n, method: "eth_signTransaction" }), "no-allow-rule", /deploy: value 1 wei is above maxValue 0; calls: contract creation is not allowed/);
  await refused(tx({ to: BOB, value: 0n }), "no-allow-rule", /deploy: the transaction is not a contract creation; calls: the transaction has no calldata/);
});

test("erc20: transfer/approve/transferFrom decoded; maxAmount, recipients, unlimited approval only with allowUnlimitedApproval", async () => {
  await applyPolicy([
    { id: "usdc", effect: "allow", action: "transaction", to: [TOKEN], erc20: { maxAmount: "5000000", recipients: [ALICE] } },
    { id: "dex", effect: "allow", action: "transaction", to: [TOKEN2], erc20: { recipients: [SPENDER], allowUnlimitedApproval: true } },
  ]);
  const erc20 = (functionName: "transfer" | "approve", to: Hex, amount: bigint) => encodeFunctionData({ abi: erc20Abi, functionName, args: [to, amount] });
  await allowed(tx({ to: TOKEN, data: erc20("transfer", ALICE, 5_000_000n) }), "usdc");
  await allowed(tx({ to: TOKEN, data: erc20("approve", ALICE, 1n) }), "usdc");
  await refused(tx({ to: TOKEN, data: erc20("transfer", ALICE, 5_000_001n) }), "no-allow-rule", /usdc: ERC-20 transfer amount 5000001 is above maxAmount 5000000/);
  await refused(tx({ to: TOKEN, data: erc20("transfer", BOB, 1n) }), "no-allow-rule", new RegExp(`usdc: ERC-20 transfer recipient ${BOB.toLowerCase()} is not`));
  await refused(tx({ to: TOKEN, data: erc20("approve", ALICE, maxUint256) }), "no-allow-rule", /usdc: an unlimited ERC-20 approval \(amount ≥ 2\^255\) needs allowUnlimitedApproval: true/);
  await refused(tx({ to: TOKEN, data: "0xa9059cbb" }), "no-allow-rule", /usdc: the calldata is not an ERC-20 transfer, approve or transferFrom/);
  await allowed(tx({ to: TOKEN2, data: erc20("approve", SPENDER, maxUint256) }), "dex");
  const transferFrom = encodeFunctionData({ abi: erc20Abi, functionName: "transferFrom", args: [ALICE, SPENDER, 7n] });
  await allowed(tx({ to: TOKEN2, data: transferFrom, method: "eth_signTransaction" }), "dex");
  await refused(tx({ to: TOKEN2, data: erc20("approve", BOB, maxUint256) }), "no-allow-rule", new RegExp(`dex: ERC-20 approve spender ${BOB.toLowerCase()} is not`));
});

test("fee caps (maxFeePerGas, maxGas, maxFee) and blob transactions, refused unless a rule says blobs: true", async () => {
  await applyPolicy([
    { id: "capped", effect: "allow", action: "transaction", to: [ALICE], maxFeePerGas: parseGwei("100").toString(), maxGas: "50000", maxFee: parseEther("0.002").toString() },
    { id: "blobs-to-bob", effect: "allow", action: "transaction", to: [BOB], blobs: true },
  ]);
  await allowed(tx({ to: ALICE, value: 1n, gas: 21_000n, maxFeePerGas: parseGwei("10") }), "capped");
  await refused(tx({ to: ALICE, value: 1n, gas: 21_000n, maxFeePerGas: parseGwei("101") }), "no-allow-rule", /capped: fee per gas 101000000000 wei is above maxFeePerGas 100000000000/);
  await refused(tx({ to: ALICE, value: 1n, gas: 50_001n }), "no-allow-rule", /capped: gas 50001 is above maxGas 50000/);
  await refused(tx({ to: ALICE, value: 1n, gas: 50_000n, maxFeePerGas: parseGwei("50") }), "no-allow-rule", /capped: maximum fee 2500000000000000 wei .* is above maxFee 2000000000000000/);

  const blob = (to: Hex): Request => {
    const fields = { to, gas: "0x5208", maxFeePerGas: toHex(parseGwei("2")), maxPriorityFeePerGas: toHex(parseGwei("1")), maxFeePerBlobGas: "0x1", blobVersionedHashes: [`0x01${"ab".repeat(31)}`] };
    return {
      rpc: { method: "eth_signTransaction", params: [{ from: gov, ...fields }] },
      direct: { method: "sign.transaction", params: { address: gov, transaction: { type: "0x3", chainId: "0x7a69", nonce: "0x0", ...fields } } },
    };
  };
  await refused(blob(ALICE), "no-allow-rule", /capped: a blob transaction needs a rule with blobs: true/);
  await allowed(blob(BOB), "blobs-to-bob");
});

test("typed data: domain chainId, verifyingContract and name, primaryTypes", async () => {
  await applyPolicy([
    { id: "permits", effect: "allow", action: "typedData", domain: { chainId: 31337, verifyingContract: TOKEN, name: "USD Coin" }, primaryTypes: ["Permit"] },
  ]);
  await allowed(typedData("Permit", { chainId: 31337, verifyingContract: TOKEN }), "permits");
  await refused(typedData("Permit", { chainId: 31337, verifyingContract: TOKEN2 }), "no-allow-rule", new RegExp(`permits: domain.verifyingContract ${TOKEN2.toLowerCase()} is not ${TOKEN.toLowerCase()}`));
  await refused(typedData("Mail", { chainId: 31337, verifyingContract: TOKEN }), "no-allow-rule", /permits: primaryType "Mail" is not Permit/);
  // Another chain: the proxy refuses it by its built-in rule (the caller's chain is 31337); the signer, asked
  // without a chain, by the account's policy.
  await refused(typedData("Permit", { chainId: 1, verifyingContract: TOKEN }, false), "no-allow-rule", /permits: domain.chainId 1 is not 31337/);
  const viaProxy = await rpcRefusal(call(f.url, "eth_signTypedData_v4", typedData("Permit", { chainId: 1, verifyingContract: TOKEN }).rpc!.params));
  assert.is(viaProxy.data.rule, "typed-data-chain");
  // A permit the rule allows but whose values do not fit their types: invalid params, for the dry run as for the
  // real request (before: the dry run said allowed, and the real request was then refused while signing).
  const permit = typedData("Permit", { chainId: 31337, verifyingContract: TOKEN });
  const json = JSON.parse(permit.rpc!.params[1] as string);
  const malformed = JSON.stringify({ ...json, message: { ...json.message, spender: "0x1234" } });
  const errors = await Promise.all([
    call(f.url, "signer_checkPolicy", [{ method: "eth_signTypedData_v4", params: [gov, malformed] }]),
    call(f.url, "eth_signTypedData_v4", [gov, malformed]),
  ].map(errorOf));
  for (const error of errors) {
    assert.is(error.code as unknown, -32602, error.message);
    assert.match(error.message, /typedData: cannot be encoded \(EIP-712\)/);
  }
  const direct = await errorOf(f.signer.request("policy.check", { method: "sign.typedData", params: { address: gov, typedData: JSON.parse(malformed) } }));
  assert.is(direct.code, "INVALID_PARAMS");
});

test("messages: allowed with a prefix, a deny rule wins over an allow rule", async () => {
  await applyPolicy([
    { id: "sign-in", effect: "allow", action: "message", prefix: "sign-in:" },
    { id: "no-admin", effect: "deny", action: "message", prefix: "sign-in: admin" },
  ]);
  await allowed(message("sign-in: alice"), "sign-in");
  await refused(message("hello"), "no-allow-rule", /sign-in: the message does not start with "sign-in:"/);
  await refused(message("sign-in: admin please"), "no-admin", /deny rule no-admin matches this message request/);
  await applyPolicy([{ id: "no-messages", effect: "deny", action: "message" }, { id: "any", effect: "allow", action: "message" }]);
  await refused(message("sign-in: alice"), "no-messages", /deny rule no-messages/);
});

test("authorizations (EIP-7702, signer only: no JSON-RPC method signs one): delegates and chains", async () => {
  await applyPolicy([{ id: "delegate", effect: "allow", action: "authorization", chainIds: [31337], to: [DELEGATE] }]);
  await allowed(authorization(31337, DELEGATE), "delegate");
  await refused(authorization(31337, BOB), "no-allow-rule", new RegExp(`delegate: delegate ${BOB.toLowerCase()} is not ${DELEGATE.toLowerCase()}`));
  await refused(authorization(1, DELEGATE), "no-allow-rule", /delegate: chain 1 is not 31337/);
  // Transactions are still refused: this policy has no rule for them.
  await refused(tx({ to: ALICE, value: 1n }), "no-allow-rule", /no rule allows any transaction request/);
});

test("the unrestricted key beside it is not affected; nothing the governed key was refused reached the node", async () => {
  const hash = await createWalletClient({ account: f.account, chain: foundry, transport: http(f.url) }).sendTransaction({ to: BOB, value: 1n });
  assert.match(hash, /^0x[0-9a-f]{64}$/);
  const policy = await call(f.url, "signer_policy", [gov]);
  assert.is(policy.kind, "policy");
  assert.is(policy.sequence, sequence);
});

test.run();
