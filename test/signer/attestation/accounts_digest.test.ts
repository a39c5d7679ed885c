import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { accountsDigest } from "../../../signer/attestation/accounts_digest.ts";

// Clients check an attestation's user_data by the README's formula, not by calling accountsDigest: SHA-256 of
// the lines "<lowercase address> <policy>", sorted, joined with "\n". The expected values here are computed
// from that formula with node:crypto, and one is pinned as hex, so a change to the format (separator, case,
// order, spacing) fails here even if every other test computes its expectation with accountsDigest itself.
const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const C = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

const readme = (lines: string[]) => new Uint8Array(createHash("sha256").update([...lines].sort().join("\n"), "utf8").digest());
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

test("accountsDigest() of unrestricted accounts is the README's formula (the README case), whatever the input order and case", async () => {
  const expected = readme([`${A.toLowerCase()} unrestricted`, `${B.toLowerCase()} unrestricted`, `${C.toLowerCase()} unrestricted`]);
  assert.equal(await accountsDigest([A, B, C]), expected);
  assert.equal(await accountsDigest([C, A.toLowerCase(), B.toUpperCase().replace("0X", "0x")]), expected);
  assert.equal(await accountsDigest([{ address: B, policy: "unrestricted" }, C, { address: A, policy: "unrestricted" }]), expected);
  // Pinned, computed once outside Node: printf '%s\n%s\n%s' "0x3c44… unrestricted" "0x7099… unrestricted"
  // "0x90f7… unrestricted" | sha256sum (the three lines in full, sorted), so the formula cannot drift with the helper.
  assert.is(hex(expected), "c4d29fe5b8970191149e9a25b87c3c5eb39ccaa7d9380a40528f462b6194377c");
});

test("accountsDigest() of one account is SHA-256 of its single line; of none, SHA-256 of the empty string", async () => {
  assert.equal(await accountsDigest([A]), readme([`${A.toLowerCase()} unrestricted`]));
  assert.is(hex(await accountsDigest([])), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("accountsDigest() with policies: none and a 0x digest take the place of unrestricted on their lines", async () => {
  const policy = `0x${"5e".repeat(32)}`;
  const expected = readme([`${A.toLowerCase()} none`, `${B.toLowerCase()} ${policy}`, `${C.toLowerCase()} unrestricted`]);
  assert.equal(await accountsDigest([{ address: C, policy: "unrestricted" }, { address: B, policy }, { address: A, policy: "none" }]), expected);
});

/** The TypeError an accountsDigest() call rejects with (uvu 0.5 has no assert.rejects). */
async function refusal(accounts: Parameters<typeof accountsDigest>[0]): Promise<TypeError> {
  try {
    await accountsDigest(accounts);
  } catch (error) {
    assert.instance(error, TypeError);
    return error as TypeError;
  }
  throw new assert.Assertion({ message: `accountsDigest(${JSON.stringify(accounts)}) was not refused`, operator: "rejects", actual: accounts, expects: "TypeError", generated: true });
}

test("accountsDigest() refuses a line it could not write unambiguously: an address that is not one, naming it", async () => {
  for (const address of ["0x1234", `${A} `, "not an address", `${A}\n${B}`]) {
    const error = await refusal([address]);
    assert.is(error.message, `Cannot digest accounts: ${address} is not an address`);
  }
});

test("accountsDigest() refuses a policy other than unrestricted, none or a whole 0x digest, naming it", async () => {
  const digest = `0x${"5e".repeat(32)}`;
  // Each would add text to a line the client recomputes from the README's formula, or let two lists share a digest.
  for (const policy of ["", "Unrestricted", "unrestricted ", ` ${digest}`, `${digest}\n${B.toLowerCase()} unrestricted`, `x${digest}`, `${digest}00`, `0x${"5E".repeat(32)}`]) {
    const error = await refusal([{ address: A, policy }]);
    assert.is(error.message, `Cannot digest accounts: ${policy} is not unrestricted, none or a 0x digest`);
  }
});

test.run();
