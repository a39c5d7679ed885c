import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Hex } from "viem";
import { createPolicyEngine } from "../../../signer/policy/create_policy_engine.ts";
import { policyApprovalTypedData } from "../../../signer/policy/policy_approval.ts";
import { policyDigest } from "../../../signer/policy/policy_digest.ts";
import { PolicyRefusedError } from "../../../signer/policy/policy_refused_error.ts";
import type { PolicyRequest } from "../../../signer/policy/policy_types.ts";
import { InvalidParamsError } from "../../../signer/protocol/params/invalid_params_error.ts";
import { UnknownAccountError } from "../../../signer/signing/signing_errors.ts";
import { ACCOUNT, ALICE, BOB, NOW, admin0, admin1, admin2, exampleDocument, governance, other, outsider } from "./policy_fixtures.ts";

const ETH = 10n ** 18n;
const pay = (value: bigint, to: Hex = ALICE): PolicyRequest => ({
  action: "transaction",
  transaction: { type: "eip1559", chainId: 31337, to, value, gas: 21000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n },
});

function setup() {
  let t = NOW;
  const clock = { now: () => t, advance: (s: number) => { t += s * 1000; } };
  const engine = createPolicyEngine({ now: clock.now });
  engine.setGovernance(ACCOUNT, governance);
  return { engine, clock };
}

async function approved(doc: Record<string, unknown>, signers = [admin0, admin1]) {
  const text = JSON.stringify(doc);
  const digest = policyDigest(doc);
  const approvals = await Promise.all(signers.map((s) => s.signTypedData(policyApprovalTypedData({ account: doc.account as Hex, digest, sequence: doc.sequence as number }))));
  return { text, digest, approvals };
}

async function rejects(promise: Promise<unknown>, field: string | RegExp) {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, InvalidParamsError);
    if (typeof field === "string") assert.is((error as InvalidParamsError).field, field, (error as Error).message);
    else assert.match((error as Error).message, field);
    return;
  }
  assert.unreachable("expected a refusal");
}

function refusedBy(fn: () => unknown, rule: string): PolicyRefusedError {
  try {
    fn();
  } catch (error) {
    assert.instance(error, PolicyRefusedError);
    assert.is((error as PolicyRefusedError).rule, rule, (error as Error).message);
    return error as PolicyRefusedError;
  }
  assert.unreachable(`expected a refusal by ${rule}`);
  throw new Error("unreachable");
}

test("an unrestricted account is never refused, takes no policy, and says so", async () => {
  const engine = createPolicyEngine({ now: () => NOW });
  engine.setGovernance(other.address, undefined);
  engine.authorize(other.address, pay(1000n * ETH)).release();
  assert.equal(engine.check(other.address, pay(1n)), { allowed: true, rule: "unrestricted" });
  assert.equal(engine.describe(other.address), { policy: { kind: "unrestricted" } });
  assert.is(engine.attestationEntry(other.address), "unrestricted");
  const { text, approvals } = await approved(exampleDocument({ account: other.address }));
  await rejects(engine.apply(text, approvals), /unrestricted/);
});

test("a governed account without a policy signs nothing (no-policy)", () => {
  const { engine } = setup();
  const error = refusedBy(() => engine.authorize(ACCOUNT, pay(1n)), "no-policy");
  assert.is(error.code, "POLICY_REFUSED");
  assert.match(error.reason, /governed by 2 of 3 admins and has no policy in force/);
  assert.is(engine.check(ACCOUNT, pay(1n)).rule, "no-policy");
  assert.equal(engine.describe(ACCOUNT), { policy: { kind: "none", governance: { admins: governance.admins, threshold: 2 } } });
  assert.is(engine.attestationEntry(ACCOUNT), "none");
});

test("apply() puts an approved document in force: describe shows its canonical text, digest, sequence and windows", async () => {
  const { engine } = setup();
  const doc = exampleDocument();
  const { text, digest, approvals } = await approved(doc);
  assert.equal(await engine.apply(text, approvals), { address: ACCOUNT.toLowerCase(), digest, sequence: 1 });
  assert.is(engine.attestationEntry(ACCOUNT), digest);
  const described = engine.describe(ACCOUNT);
  assert.equal(described.policy, { kind: "policy", governance: { admins: governance.admins, threshold: 2 }, digest, sequence: 1, notAfter: "2027-06-01T00:00:00.000Z" });
  assert.is(`0x${createHash("sha256").update(described.document!).digest("hex")}`, digest);
  assert.equal(described.windows, [
    { id: "daily-eth", window: 86400, value: "0", count: 0 },
    { id: "hourly-count", window: 3600, value: "0", count: 0 },
  ]);
});

test("authorize() decides by rules, reserves in the windows, and release() gives it back", async () => {
  const { engine, clock } = setup();
  const { text, approvals } = await approved(exampleDocument());
  await engine.apply(text, approvals);
  engine.authorize(ACCOUNT, pay(ETH));
  refusedBy(() => engine.authorize(ACCOUNT, pay(2n * ETH)), "no-allow-rule");
  refusedBy(() => engine.authorize(ACCOUNT, { action: "message", message: new Uint8Array([1]) }), "no-messages");
  assert.equal(engine.check(ACCOUNT, pay(ETH)), {
    allowed: false, rule: "daily-eth",
    reason: "limit daily-eth: 1000000000000000000 wei signed in the last 86400 s plus this 1000000000000000000 wei would exceed maxValue 1500000000000000000",
  });
  const reservation = engine.authorize(ACCOUNT, pay(ETH / 2n));
  refusedBy(() => engine.authorize(ACCOUNT, pay(1n)), "daily-eth");
  reservation.release();
  assert.equal(engine.check(ACCOUNT, pay(ETH / 2n)), { allowed: true, rule: "pay-alice" });
  assert.equal(engine.describe(ACCOUNT).windows?.[0], { id: "daily-eth", window: 86400, value: ETH.toString(), count: 1 });
  clock.advance(86401);
  engine.authorize(ACCOUNT, pay(ETH));
  clock.advance(2 * 365 * 86400);
  refusedBy(() => engine.authorize(ACCOUNT, pay(1n)), "expired");
});

test("check() counts nothing", async () => {
  const { engine } = setup();
  const { text, approvals } = await approved(exampleDocument({ limits: [{ id: "one", window: 60, maxCount: 1 }] }));
  await engine.apply(text, approvals);
  for (let i = 0; i < 3; i++) assert.equal(engine.check(ACCOUNT, pay(1n)), { allowed: true, rule: "pay-alice" });
  engine.authorize(ACCOUNT, pay(1n));
  assert.is(engine.check(ACCOUNT, pay(1n)).rule, "one");
});

test("apply() refusals leave the policy in force unchanged", async () => {
  const { engine } = setup();
  const first = await approved(exampleDocument());
  await engine.apply(first.text, first.approvals);
  const unchanged = () => assert.is(engine.attestationEntry(ACCOUNT), first.digest);

  const seq2 = exampleDocument({ sequence: 2, rules: [{ id: "to-bob", effect: "allow", action: "transaction", to: [BOB] }] });
  // Too few approvals.
  const few = await approved(seq2, [admin2]);
  await rejects(engine.apply(few.text, few.approvals), "approvals"); unchanged();
  // A non-admin's approval.
  const outsiders = await approved(seq2, [admin0, outsider]);
  await rejects(engine.apply(outsiders.text, outsiders.approvals), "approvals[1]"); unchanged();
  // A duplicate counts once.
  const dup = await approved(seq2, [admin0, admin0]);
  await rejects(engine.apply(dup.text, dup.approvals), /1 distinct admin approved/); unchanged();
  // Replay of the document in force (equal sequence) and of a lower one.
  await rejects(engine.apply(first.text, first.approvals), "policy.sequence"); unchanged();
  const seq0Like = await approved(exampleDocument({ sequence: 1, limits: [{ id: "x", window: 1, maxCount: 1 }] }));
  await rejects(engine.apply(seq0Like.text, seq0Like.approvals), /is not above 1, the sequence in force/); unchanged();
  // Approvals for another account's document, or another digest.
  const elsewhere = await approved(exampleDocument({ sequence: 2, account: other.address }));
  await rejects(engine.apply(JSON.stringify(seq2), elsewhere.approvals), "approvals[0]"); unchanged();
  // A document changed after signing.
  const good = await approved(seq2);
  const tampered = good.text.replace(BOB, ALICE);
  assert.is.not(tampered, good.text);
  await rejects(engine.apply(tampered, good.approvals), "approvals[0]"); unchanged();
  // A malformed document or JSON, and an unknown account.
  await rejects(engine.apply("{", good.approvals), "document");
  await rejects(engine.apply(JSON.stringify({ ...seq2, extra: 1 }), good.approvals), "policy.extra"); unchanged();
  try {
    await engine.apply(elsewhere.text, elsewhere.approvals);
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UnknownAccountError);
  }
  unchanged();
  // And finally the good one goes in.
  assert.is((await engine.apply(good.text, good.approvals)).sequence, 2);
  assert.is(engine.attestationEntry(ACCOUNT), good.digest);
  engine.authorize(ACCOUNT, pay(5n, BOB));
  refusedBy(() => engine.authorize(ACCOUNT, pay(1n)), "no-allow-rule");
});

test("after forget() and a reload only the same document or a higher sequence is accepted again; windows survive", async () => {
  const { engine } = setup();
  const v1 = await approved(exampleDocument());
  const v2 = await approved(exampleDocument({ sequence: 2 }));
  await engine.apply(v1.text, v1.approvals);
  await engine.apply(v2.text, v2.approvals);
  engine.authorize(ACCOUNT, pay(ETH));
  engine.forget(ACCOUNT);
  assert.throws(() => engine.attestationEntry(ACCOUNT), (e: unknown) => e instanceof UnknownAccountError);
  assert.throws(() => engine.authorize(ACCOUNT, pay(1n)), (e: unknown) => e instanceof UnknownAccountError);
  engine.setGovernance(ACCOUNT, governance);
  assert.is(engine.attestationEntry(ACCOUNT), "none");
  await rejects(engine.apply(v1.text, v1.approvals), /below sequence 2/);
  await engine.apply(v2.text, v2.approvals);
  assert.is(engine.attestationEntry(ACCOUNT), v2.digest);
  refusedBy(() => engine.authorize(ACCOUNT, pay(ETH)), "daily-eth");
});

test("setGovernance(): the same governance keeps the policy, other admins drop it", async () => {
  const { engine } = setup();
  const v1 = await approved(exampleDocument());
  await engine.apply(v1.text, v1.approvals);
  engine.setGovernance(ACCOUNT, { admins: [...governance.admins].reverse().map((a) => a.toUpperCase().replace("0X", "0x") as Hex), threshold: 2 });
  assert.is(engine.attestationEntry(ACCOUNT), v1.digest);
  engine.setGovernance(ACCOUNT, { ...governance, threshold: 3 });
  assert.is(engine.attestationEntry(ACCOUNT), "none");
  assert.throws(() => engine.setGovernance(ACCOUNT, { admins: [admin0.address], threshold: 2 }), (e: unknown) => e instanceof RangeError);
  assert.throws(() => engine.setGovernance(ACCOUNT, { admins: ["0x12"], threshold: 1 }), (e: unknown) => e instanceof TypeError);
});

test("a governance change while approvals are being checked refuses the apply", async () => {
  const { engine } = setup();
  const v1 = await approved(exampleDocument());
  const pending = engine.apply(v1.text, v1.approvals);
  engine.setGovernance(ACCOUNT, { ...governance, threshold: 1 });
  await rejects(pending, /governance changed/);
  assert.is(engine.attestationEntry(ACCOUNT), "none");
});

test("unknown accounts are refused everywhere", () => {
  const engine = createPolicyEngine();
  for (const call of [() => engine.describe(BOB), () => engine.attestationEntry(BOB), () => engine.check(BOB, pay(1n)), () => engine.authorize(BOB, pay(1n))]) {
    assert.throws(call, (e: unknown) => e instanceof UnknownAccountError);
  }
});

test.run();
