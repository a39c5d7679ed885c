import { test } from "uvu";
import * as assert from "uvu/assert";
import { parsePolicyDocument } from "../../../signer/policy/parse_policy_document.ts";
import { InvalidParamsError } from "../../../signer/protocol/params/invalid_params_error.ts";
import { ACCOUNT, ALICE, BOB, NOW, clone, exampleDocument } from "./policy_fixtures.ts";

type Doc = Record<string, any>;

function refusal(doc: unknown, now = NOW): InvalidParamsError {
  try {
    parsePolicyDocument(doc, { now });
  } catch (error) {
    assert.instance(error, InvalidParamsError);
    return error as InvalidParamsError;
  }
  throw new assert.Assertion({ message: "expected the document to be refused", generated: false, operator: "throws", expects: "", actual: "" });
}

test("parsePolicyDocument() parses the issue's example: lowercase addresses, bigint amounts, notAfter in ms", () => {
  const doc = parsePolicyDocument(exampleDocument(), { now: NOW });
  assert.is(doc.version, 1);
  assert.is(doc.account, ACCOUNT.toLowerCase());
  assert.is(doc.sequence, 1);
  assert.is(doc.notAfter, Date.UTC(2027, 5, 1));
  assert.is(doc.rules.length, 4);
  assert.equal(doc.rules[0], {
    id: "pay-alice", effect: "allow", action: "transaction", chainIds: [31337], to: [ALICE.toLowerCase()],
    maxValue: 10n ** 18n, selectors: ["0x"],
  });
  assert.equal(doc.rules[1]?.erc20, { maxAmount: 5000000n, recipients: [BOB.toLowerCase()] });
  assert.equal(doc.rules[2]?.domain?.chainId, 31337);
  assert.equal(doc.rules[3], { id: "no-messages", effect: "deny", action: "message" });
  assert.equal(doc.limits, [
    { id: "daily-eth", window: 86400, maxValue: 1500000000000000000n },
    { id: "hourly-count", window: 3600, maxCount: 100 },
  ]);
});

test("parsePolicyDocument() takes every condition of every action", () => {
  const doc = parsePolicyDocument(exampleDocument({
    rules: [
      { id: "t", effect: "allow", action: "transaction", chainIds: [1, 10], to: [ALICE], create: false, maxValue: "0",
        selectors: ["0x", "0xA9059CBB"], erc20: { maxAmount: "1", recipients: [BOB], allowUnlimitedApproval: true },
        maxFeePerGas: "100000000000", maxGas: "21000", maxFee: "2100000000000000", blobs: true },
      { id: "c", effect: "allow", action: "transaction", create: true },
      { id: "m", effect: "allow", action: "message", prefix: "Sign in to example.org ✓" },
      { id: "d", effect: "allow", action: "typedData", domain: { chainId: 1, verifyingContract: ALICE, name: "" }, primaryTypes: ["Permit", "Order_2"] },
      { id: "a", effect: "deny", action: "authorization", chainIds: [1], to: [BOB] },
    ],
    limits: [{ id: "l:1.a_b", window: 31536000, maxValue: "115792089237316195423570985008687907853269984665640564039457584007913129639935", maxCount: 9007199254740991 }],
  }), { now: NOW });
  assert.equal(doc.rules[0]?.selectors, ["0x", "0xa9059cbb"]);
  assert.is(doc.rules[0]?.erc20?.allowUnlimitedApproval, true);
  assert.is(doc.rules[0]?.maxFee, 2100000000000000n);
  assert.is(doc.rules[2]?.prefix, "Sign in to example.org ✓");
  assert.is(doc.rules[3]?.domain?.name, "");
  assert.is(doc.limits[0]?.maxValue, 2n ** 256n - 1n);
});

test("parsePolicyDocument() allows limits to be left out, and a notAfter with milliseconds", () => {
  const doc = exampleDocument({ notAfter: "2026-01-01T00:00:00.5Z" });
  delete doc.limits;
  const parsed = parsePolicyDocument(doc, { now: NOW });
  assert.equal(parsed.limits, []);
  assert.is(parsed.notAfter, NOW + 500);
});

// [what, mutation, the field the refusal must name]
const refusals: [string, (doc: Doc) => unknown, string][] = [
  ["not an object", () => [], "policy"],
  ["an unknown top-level field", (d) => ({ ...d, comment: "x" }), "policy.comment"],
  ["version 2", (d) => ({ ...d, version: 2 }), "policy.version"],
  ["version as a string", (d) => ({ ...d, version: "1" }), "policy.version"],
  ["no account", (d) => ({ ...d, account: undefined }), "policy.account"],
  ["a malformed account", (d) => ({ ...d, account: "0x1234" }), "policy.account"],
  ["an account with a wrong checksum", (d) => ({ ...d, account: "0x15D34AAf54267DB7D7c367839AAf71A00a2C6A65" }), "policy.account"],
  ["sequence 0", (d) => ({ ...d, sequence: 0 }), "policy.sequence"],
  ["sequence 1.5", (d) => ({ ...d, sequence: 1.5 }), "policy.sequence"],
  ["sequence as a string", (d) => ({ ...d, sequence: "1" }), "policy.sequence"],
  ["sequence above 2^53-1", (d) => ({ ...d, sequence: 2 ** 53 }), "policy.sequence"],
  ["no notAfter", (d) => ({ ...d, notAfter: undefined }), "policy.notAfter"],
  ["notAfter in the past", (d) => ({ ...d, notAfter: "2025-12-31T23:59:59Z" }), "policy.notAfter"],
  ["notAfter not UTC", (d) => ({ ...d, notAfter: "2027-06-01T00:00:00+02:00" }), "policy.notAfter"],
  ["notAfter without a time", (d) => ({ ...d, notAfter: "2027-06-01" }), "policy.notAfter"],
  ["notAfter on 30 February", (d) => ({ ...d, notAfter: "2027-02-30T00:00:00Z" }), "policy.notAfter"],
  ["notAfter at 24:00", (d) => ({ ...d, notAfter: "2027-02-01T24:00:00Z" }), "policy.notAfter"],
  ["notAfter as a number", (d) => ({ ...d, notAfter: 1811808000000 }), "policy.notAfter"],
  ["no rules", (d) => ({ ...d, rules: undefined }), "policy.rules"],
  ["an empty rule list", (d) => ({ ...d, rules: [] }), "policy.rules"],
  ["an empty limit list", (d) => ({ ...d, limits: [] }), "policy.limits"],
  ["a rule that is not an object", (d) => { d.rules[1] = "allow"; return d; }, "policy.rules[1]"],
  ["an unknown action", (d) => { d.rules[2].action = "sign"; return d; }, "policy.rules[2].action"],
  ["an unknown effect", (d) => { d.rules[0].effect = "permit"; return d; }, "policy.rules[0].effect"],
  ["an unknown rule field", (d) => { d.rules[0].maxValueWei = "1"; return d; }, "policy.rules[0].maxValueWei"],
  ["a missing id", (d) => { delete d.rules[0].id; return d; }, "policy.rules[0].id"],
  ["an empty id", (d) => { d.rules[0].id = ""; return d; }, "policy.rules[0].id"],
  ["an id with spaces", (d) => { d.rules[0].id = "pay alice"; return d; }, "policy.rules[0].id"],
  ["a duplicate rule id", (d) => { d.rules[1].id = "pay-alice"; return d; }, "policy.rules[1].id"],
  ["a limit id equal to a rule id", (d) => { d.limits[1].id = "usdc"; return d; }, "policy.limits[1].id"],
  ["the reserved id no-policy", (d) => { d.rules[0].id = "no-policy"; return d; }, "policy.rules[0].id"],
  ["the reserved id expired", (d) => { d.rules[3].id = "expired"; return d; }, "policy.rules[3].id"],
  ["the reserved id no-allow-rule", (d) => { d.limits[0].id = "no-allow-rule"; return d; }, "policy.limits[0].id"],
  ["a built-in rule's id", (d) => { d.rules[0].id = "typed-data-chain"; return d; }, "policy.rules[0].id"],
  ["maxValue as a number", (d) => { d.rules[0].maxValue = 1e18; return d; }, "policy.rules[0].maxValue"],
  ["maxValue as a float string", (d) => { d.rules[0].maxValue = "1.5"; return d; }, "policy.rules[0].maxValue"],
  ["maxValue in hex", (d) => { d.rules[0].maxValue = "0xde0b6b3a7640000"; return d; }, "policy.rules[0].maxValue"],
  ["maxValue with a leading zero", (d) => { d.rules[0].maxValue = "01"; return d; }, "policy.rules[0].maxValue"],
  ["maxValue negative", (d) => { d.rules[0].maxValue = "-1"; return d; }, "policy.rules[0].maxValue"],
  ["maxValue in exponent form", (d) => { d.rules[0].maxValue = "1e18"; return d; }, "policy.rules[0].maxValue"],
  ["maxValue of 2^256", (d) => { d.rules[0].maxValue = (2n ** 256n).toString(); return d; }, "policy.rules[0].maxValue"],
  ["maxValue empty", (d) => { d.rules[0].maxValue = ""; return d; }, "policy.rules[0].maxValue"],
  ["a chain id 0", (d) => { d.rules[0].chainIds = [0]; return d; }, "policy.rules[0].chainIds[0]"],
  ["a chain id as a string", (d) => { d.rules[0].chainIds = ["1"]; return d; }, "policy.rules[0].chainIds[0]"],
  ["an empty chainIds", (d) => { d.rules[0].chainIds = []; return d; }, "policy.rules[0].chainIds"],
  ["chainIds not a list", (d) => { d.rules[0].chainIds = 1; return d; }, "policy.rules[0].chainIds"],
  ["an empty to", (d) => { d.rules[0].to = []; return d; }, "policy.rules[0].to"],
  ["a malformed to", (d) => { d.rules[0].to = [ALICE, "alice.eth"]; return d; }, "policy.rules[0].to[1]"],
  ["create as a string", (d) => { d.rules[0].create = "false"; return d; }, "policy.rules[0].create"],
  ["create: true with to", (d) => { d.rules[0].create = true; return d; }, "policy.rules[0].create"],
  ["create: true with erc20", (d) => { d.rules[1] = { id: "x", effect: "allow", action: "transaction", create: true, erc20: {} }; return d; }, "policy.rules[1].create"],
  ["a 3-byte selector", (d) => { d.rules[1].selectors = ["0xa9059c"]; return d; }, "policy.rules[1].selectors[0]"],
  ["a selector without 0x", (d) => { d.rules[1].selectors = ["a9059cbb"]; return d; }, "policy.rules[1].selectors[0]"],
  ["an empty selector list", (d) => { d.rules[1].selectors = []; return d; }, "policy.rules[1].selectors"],
  ["erc20 not an object", (d) => { d.rules[1].erc20 = true; return d; }, "policy.rules[1].erc20"],
  ["an unknown erc20 field", (d) => { d.rules[1].erc20.spender = BOB; return d; }, "policy.rules[1].erc20.spender"],
  ["a float erc20 maxAmount", (d) => { d.rules[1].erc20.maxAmount = "5.0"; return d; }, "policy.rules[1].erc20.maxAmount"],
  ["an empty erc20 recipients", (d) => { d.rules[1].erc20.recipients = []; return d; }, "policy.rules[1].erc20.recipients"],
  ["a malformed erc20 recipient", (d) => { d.rules[1].erc20.recipients = ["0x0"]; return d; }, "policy.rules[1].erc20.recipients[0]"],
  ["allowUnlimitedApproval as 1", (d) => { d.rules[1].erc20.allowUnlimitedApproval = 1; return d; }, "policy.rules[1].erc20.allowUnlimitedApproval"],
  ["allowUnlimitedApproval in a deny rule", (d) => { d.rules[1].effect = "deny"; d.rules[1].erc20.allowUnlimitedApproval = false; return d; }, "policy.rules[1].erc20.allowUnlimitedApproval"],
  ["maxFeePerGas in gwei with a dot", (d) => { d.rules[0].maxFeePerGas = "1.5"; return d; }, "policy.rules[0].maxFeePerGas"],
  ["maxGas as a number", (d) => { d.rules[0].maxGas = 21000; return d; }, "policy.rules[0].maxGas"],
  ["maxFee in hex", (d) => { d.rules[0].maxFee = "0x10"; return d; }, "policy.rules[0].maxFee"],
  ["blobs as a string", (d) => { d.rules[0].blobs = "yes"; return d; }, "policy.rules[0].blobs"],
  ["prefix on a transaction rule", (d) => { d.rules[0].prefix = "x"; return d; }, "policy.rules[0].prefix"],
  ["maxValue on a message rule", (d) => { d.rules[3].maxValue = "1"; return d; }, "policy.rules[3].maxValue"],
  ["to on a typedData rule", (d) => { d.rules[2].to = [ALICE]; return d; }, "policy.rules[2].to"],
  ["domain on a transaction rule", (d) => { d.rules[0].domain = { chainId: 1 }; return d; }, "policy.rules[0].domain"],
  ["selectors on an authorization rule", (d) => { d.rules[0] = { id: "a", effect: "allow", action: "authorization", selectors: ["0x"] }; return d; }, "policy.rules[0].selectors"],
  ["an empty prefix", (d) => { d.rules[3].prefix = ""; return d; }, "policy.rules[3].prefix"],
  ["a prefix with a lone surrogate", (d) => { d.rules[3].prefix = "a\ud800"; return d; }, "policy.rules[3].prefix"],
  ["a prefix as bytes", (d) => { d.rules[3].prefix = [1, 2]; return d; }, "policy.rules[3].prefix"],
  ["an empty domain", (d) => { d.rules[2].domain = {}; return d; }, "policy.rules[2].domain"],
  ["an unknown domain field", (d) => { d.rules[2].domain.salt = "0x00"; return d; }, "policy.rules[2].domain.salt"],
  ["a domain chainId as hex", (d) => { d.rules[2].domain.chainId = "0x7a69"; return d; }, "policy.rules[2].domain.chainId"],
  ["a malformed verifyingContract", (d) => { d.rules[2].domain.verifyingContract = "0xabc"; return d; }, "policy.rules[2].domain.verifyingContract"],
  ["a domain name as a number", (d) => { d.rules[2].domain.name = 1; return d; }, "policy.rules[2].domain.name"],
  ["an empty primaryTypes", (d) => { d.rules[2].primaryTypes = []; return d; }, "policy.rules[2].primaryTypes"],
  ["a primaryType that is no type name", (d) => { d.rules[2].primaryTypes = ["Permit(address owner)"]; return d; }, "policy.rules[2].primaryTypes[0]"],
  ["a limit that is not an object", (d) => { d.limits[0] = 5; return d; }, "policy.limits[0]"],
  ["an unknown limit field", (d) => { d.limits[0].per = "day"; return d; }, "policy.limits[0].per"],
  ["a limit without maxValue or maxCount", (d) => { d.limits[0] = { id: "x", window: 60 }; return d; }, "policy.limits[0]"],
  ["a window of 0", (d) => { d.limits[0].window = 0; return d; }, "policy.limits[0].window"],
  ["a window above a year", (d) => { d.limits[0].window = 31536001; return d; }, "policy.limits[0].window"],
  ["a fractional window", (d) => { d.limits[0].window = 1.5; return d; }, "policy.limits[0].window"],
  ["a window as a string", (d) => { d.limits[0].window = "86400"; return d; }, "policy.limits[0].window"],
  ["a limit maxValue as a number", (d) => { d.limits[0].maxValue = 1; return d; }, "policy.limits[0].maxValue"],
  ["maxCount 0", (d) => { d.limits[1].maxCount = 0; return d; }, "policy.limits[1].maxCount"],
  ["maxCount as a string", (d) => { d.limits[1].maxCount = "100"; return d; }, "policy.limits[1].maxCount"],
  ["a limit without an id", (d) => { delete d.limits[1].id; return d; }, "policy.limits[1].id"],
  ["more than 256 rules", (d) => { d.rules = Array.from({ length: 257 }, (_, i) => ({ id: `r${i}`, effect: "deny", action: "message" })); return d; }, "policy.rules"],
];

for (const [what, mutate, field] of refusals) {
  test(`parsePolicyDocument() refuses ${what}, naming ${field}`, () => {
    const error = refusal(mutate(clone(exampleDocument())));
    assert.is(error.field, field, error.message);
    assert.equal(error.data, { field });
  });
}

test("parsePolicyDocument() refuses a notAfter exactly at the previous millisecond, accepts it at now", () => {
  refusal(exampleDocument({ notAfter: "2026-01-01T00:00:00Z" }), NOW + 1);
  assert.is(parsePolicyDocument(exampleDocument({ notAfter: "2026-01-01T00:00:00Z" }), { now: NOW }).notAfter, NOW);
});

test("parsePolicyDocument() messages say what was wrong without echoing a whole payload", () => {
  const error = refusal(exampleDocument({ account: "x".repeat(1000) }));
  assert.ok(error.message.length < 200, error.message);
  assert.match(refusal(exampleDocument({ version: 2 })).message, /Invalid policy\.version: expected 1/);
});

test("parsePolicyDocument() refuses a bad options.now with TypeError", () => {
  assert.throws(() => parsePolicyDocument(exampleDocument(), { now: Number.NaN }), (e: unknown) => e instanceof TypeError);
});

test.run();
