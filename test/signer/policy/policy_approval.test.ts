import { test } from "uvu";
import * as assert from "uvu/assert";
import { hashTypedData, type Hex } from "viem";
import { parsePolicyDocument } from "../../../signer/policy/parse_policy_document.ts";
import { MAX_POLICY_APPROVALS, policyApprovalTypedData, verifyPolicyApprovals } from "../../../signer/policy/policy_approval.ts";
import { policyDigest } from "../../../signer/policy/policy_digest.ts";
import { InvalidParamsError } from "../../../signer/protocol/params/invalid_params_error.ts";
import { ACCOUNT, NOW, admin0, admin1, admin2, exampleDocument, governance, other, outsider } from "./policy_fixtures.ts";

const json = exampleDocument();
const document = parsePolicyDocument(json, { now: NOW });
const digest = policyDigest(json);
const approval = (signer: typeof admin0, fields: Partial<{ account: Hex; digest: Hex; sequence: number }> = {}) =>
  signer.signTypedData(policyApprovalTypedData({ account: ACCOUNT, digest, sequence: 1, ...fields }));

async function refusal(approvals: Hex[], options: { digest?: Hex; threshold?: number } = {}): Promise<InvalidParamsError> {
  try {
    await verifyPolicyApprovals({
      document, digest: options.digest ?? digest, approvals, governance: { ...governance, threshold: options.threshold ?? governance.threshold },
    });
  } catch (error) {
    assert.instance(error, InvalidParamsError);
    return error as InvalidParamsError;
  }
  throw new assert.Assertion({ message: "expected a refusal", generated: false, operator: "throws", expects: "", actual: "" });
}

test("policyApprovalTypedData() is PolicyApproval(address account,bytes32 policyDigest,uint64 sequence) in the policy domain", () => {
  const typedData = policyApprovalTypedData({ account: ACCOUNT, digest, sequence: 7 });
  assert.equal(typedData.domain, { name: "nitro-eth-signer policy", version: "1" });
  assert.is(typedData.primaryType, "PolicyApproval");
  assert.equal(typedData.message, { account: ACCOUNT, policyDigest: digest, sequence: 7n });
  // The hash pins the type string: a change of field names, types or order changes it.
  assert.match(hashTypedData(typedData), /^0x[0-9a-f]{64}$/);
  assert.is.not(hashTypedData(typedData), hashTypedData(policyApprovalTypedData({ account: ACCOUNT, digest, sequence: 8 })));
});

test("verifyPolicyApprovals() accepts threshold distinct admins and returns them lowercase", async () => {
  const admins = await verifyPolicyApprovals({ document, digest, approvals: [await approval(admin0), await approval(admin2)], governance });
  assert.equal(admins, [admin0.address.toLowerCase(), admin2.address.toLowerCase()]);
});

test("verifyPolicyApprovals() accepts more than threshold, and a signature with v = 0/1", async () => {
  const signatures = [await approval(admin0), await approval(admin1), await approval(admin2)];
  assert.is((await verifyPolicyApprovals({ document, digest, approvals: signatures, governance })).length, 3);
  const sig = signatures[0]!;
  const v01 = `${sig.slice(0, -2)}${(Number.parseInt(sig.slice(-2), 16) - 27).toString(16).padStart(2, "0")}` as Hex;
  assert.is((await verifyPolicyApprovals({ document, digest, approvals: [v01, signatures[1]!], governance })).length, 2);
});

test("verifyPolicyApprovals() refuses too few approvals", async () => {
  const error = await refusal([await approval(admin0)]);
  assert.is(error.field, "approvals");
  assert.match(error.message, /1 distinct admin approved; 2 of 3 required/);
  assert.is((await refusal([])).field, "approvals");
});

test("verifyPolicyApprovals() counts one admin's two approvals once", async () => {
  const a = await approval(admin1);
  const error = await refusal([a, a]);
  assert.match(error.message, /1 distinct admin approved/);
});

test("verifyPolicyApprovals() refuses a non-admin's approval, even beside enough admins", async () => {
  const error = await refusal([await approval(admin0), await approval(admin1), await approval(outsider)]);
  assert.is(error.field, "approvals[2]");
  assert.match(error.message, new RegExp(`recovers to ${outsider.address.toLowerCase()}, not an admin`));
});

test("verifyPolicyApprovals() refuses approvals of another account, digest or sequence", async () => {
  const good = await approval(admin0);
  assert.is((await refusal([good, await approval(admin1, { account: other.address })])).field, "approvals[1]");
  assert.is((await refusal([good, await approval(admin1, { digest: `0x${"11".repeat(32)}` })])).field, "approvals[1]");
  assert.is((await refusal([good, await approval(admin1, { sequence: 2 })])).field, "approvals[1]");
});

test("verifyPolicyApprovals() refuses approvals of a document changed after signing", async () => {
  const changed = exampleDocument();
  (changed.rules as Record<string, unknown>[])[0]!.maxValue = "2000000000000000000";
  const approvals = [await approval(admin0), await approval(admin1)];
  const error = await refusal(approvals, { digest: policyDigest(changed) });
  assert.is(error.field, "approvals[0]");
});

test("verifyPolicyApprovals() refuses malformed signatures", async () => {
  const good = await approval(admin0);
  for (const bad of ["0x", "0x1234", `${good}00`, good.slice(2), 42, `0x${"zz".repeat(65)}`, `0x${"00".repeat(65)}`, `${good.slice(0, -2)}1d`]) {
    const error = await refusal([good, bad as Hex]);
    assert.is(error.field, "approvals[1]", `${String(bad)}: ${error.message}`);
  }
  assert.is((await refusal("0x" as never)).field, "approvals");
});

test("verifyPolicyApprovals() with threshold 1 accepts one admin", async () => {
  const admins = await verifyPolicyApprovals({ document, digest, approvals: [await approval(admin2)], governance: { ...governance, threshold: 1 } });
  assert.equal(admins, [admin2.address.toLowerCase()]);
});

test("verifyPolicyApprovals() refuses a digest that is not exactly 0x and 64 hex digits (a caller's bug: TypeError)", async () => {
  const approvals = [await approval(admin0), await approval(admin1)];
  for (const bad of [digest.slice(2), `${digest}00`, `00${digest}`, digest.slice(0, -1), `${digest.slice(0, -1)}g`]) {
    try {
      await verifyPolicyApprovals({ document, digest: bad as Hex, approvals, governance });
    } catch (error) {
      assert.instance(error, TypeError, bad);
      assert.is((error as Error).message, "Cannot verify approvals: digest must be 32 bytes of hex");
      continue;
    }
    assert.unreachable(`accepted digest ${bad}`);
  }
  // Upper-case hex is the same digest.
  assert.is((await verifyPolicyApprovals({ document, digest: `0x${digest.slice(2).toUpperCase()}` as Hex, approvals, governance })).length, 2);
});

test("verifyPolicyApprovals() looks at up to MAX_POLICY_APPROVALS (64) approvals and refuses 65 unread", async () => {
  const a0 = await approval(admin0);
  const a1 = await approval(admin1);
  const sixtyFour = [...Array.from({ length: 63 }, () => a0), a1];
  assert.is(MAX_POLICY_APPROVALS, 64);
  assert.equal(await verifyPolicyApprovals({ document, digest, approvals: sixtyFour, governance }), [admin0.address.toLowerCase(), admin1.address.toLowerCase()]);
  // The 65th would be an outsider's: the count is refused before any signature is recovered.
  const error = await refusal([...sixtyFour, await approval(outsider)]);
  assert.is(error.field, "approvals");
  assert.is(error.message, "Invalid approvals: more than 64 approvals");
});

test("verifyPolicyApprovals() says which check refused: not an array, not 65-byte hex, not a signature, too few (plural)", async () => {
  assert.is((await refusal("0x" as never)).message, "Invalid approvals: expected an array of signatures");
  const good = await approval(admin0);
  // Well-formed but malformed inside: v = 0x1d, and r = s = 0.
  // An object whose text is a good signature is still not a string.
  for (const bad of ["0x1234", `${good}00`, `x${good}`, good.slice(2), 42, { toString: () => good }]) {
    assert.is((await refusal([good, bad as Hex])).message, "Invalid approvals[1]: expected a 65-byte signature in hex (r, s, v)", String(bad));
  }
  for (const bad of [`${good.slice(0, -2)}1d`, `0x${"00".repeat(65)}`]) {
    assert.is((await refusal([good, bad as Hex])).message, "Invalid approvals[1]: is not a valid signature", bad);
  }
  const error = await refusal([good, await approval(admin1)], { threshold: 3 });
  assert.is(error.field, "approvals");
  assert.is(error.message, "Invalid approvals: 2 distinct admins approved; 3 of 3 required");
  assert.is((await refusal([])).message, "Invalid approvals: 0 distinct admins approved; 2 of 3 required");
});

test.run();
