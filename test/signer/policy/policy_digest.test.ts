import { createHash } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { canonicalPolicyJson, policyDigest } from "../../../signer/policy/policy_digest.ts";
import { InvalidParamsError } from "../../../signer/protocol/params/invalid_params_error.ts";
import { exampleDocument } from "./policy_fixtures.ts";

// RFC 8785 §3.2.3 (sorting and the sample input of §3.2.2) and its expected output, byte for byte.
const RFC8785_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`;
const RFC8785_OUTPUT = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;

const RFC8785_SORTING_INPUT = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`;

const isInvalid = (error: unknown) => error instanceof InvalidParamsError;
const sha256 = (text: string) => `0x${createHash("sha256").update(text, "utf8").digest("hex")}`;

test("canonicalPolicyJson() gives RFC 8785 §3.2.3's output for its sample input", () => {
  assert.is(canonicalPolicyJson(JSON.parse(RFC8785_INPUT)), RFC8785_OUTPUT);
});

test("canonicalPolicyJson() sorts members by UTF-16 code units (RFC 8785 §3.2.3)", () => {
  // (Read back as text: JSON.parse would move the integer-like key "1" to the front.)
  const text = canonicalPolicyJson(JSON.parse(RFC8785_SORTING_INPUT));
  const values = [...text.matchAll(/":"([^"]+)"/g)].map((m) => m[1]);
  assert.equal(values, [
    "Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis", "Euro Sign", "Emoji: Grinning Face",
    "Hebrew Letter Dalet With Dagesh",
  ]);
  assert.ok(text.startsWith(`{"\\r":"Carriage Return","1":"One","\u0080":"Control"`), text);
});

test("policyDigest() is SHA-256 of the canonical JSON, 0x-prefixed lowercase hex", () => {
  assert.is(policyDigest(JSON.parse(RFC8785_INPUT)), sha256(RFC8785_OUTPUT));
  assert.match(policyDigest(exampleDocument()), /^0x[0-9a-f]{64}$/);
});

test("policyDigest() ignores whitespace and member order, not values", () => {
  const doc = exampleDocument();
  const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(doc).reverse()), null, 4)) as unknown;
  assert.is(policyDigest(reordered), policyDigest(doc));
  assert.is.not(policyDigest(exampleDocument({ sequence: 2 })), policyDigest(doc));
  assert.is.not(policyDigest(exampleDocument({ account: (doc.account as string).toLowerCase() })), policyDigest(doc));
});

test("policyDigest() refuses what JSON cannot carry: a lone surrogate, NaN, a cycle", () => {
  assert.throws(() => policyDigest({ a: "\ud800" }), isInvalid);
  assert.throws(() => policyDigest({ a: Number.NaN }), isInvalid);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => policyDigest(cyclic), isInvalid);
  assert.throws(() => policyDigest(undefined), isInvalid);
});

test("canonicalPolicyJson() names the policy and the reason in its refusal (INVALID_PARAMS, field policy)", () => {
  const refusal = (value: unknown): InvalidParamsError => {
    try {
      canonicalPolicyJson(value);
    } catch (error) {
      assert.instance(error, InvalidParamsError);
      return error as InvalidParamsError;
    }
    throw new assert.Assertion({ message: "expected a refusal", generated: false, operator: "throws", expects: "", actual: "" });
  };
  const nan = refusal({ a: Number.NaN });
  assert.is(nan.field, "policy");
  assert.is(nan.code, "INVALID_PARAMS");
  assert.is(nan.message, "Invalid policy: cannot be canonicalized (RFC 8785): NaN is not allowed");
  assert.is(refusal({ a: "\ud800" }).message, "Invalid policy: cannot be canonicalized (RFC 8785): Lone surrogate is not allowed");
  // A toJSON that throws something other than an Error: the reason is generic, not the thrown value.
  assert.is(refusal({ toJSON: () => { throw "secret"; } }).message, "Invalid policy: cannot be canonicalized (RFC 8785): invalid value");
  const undef = refusal(undefined);
  assert.is(undef.field, "policy");
  assert.is(undef.message, "Invalid policy: is not a JSON value");
  assert.is(refusal(() => 1).message, "Invalid policy: is not a JSON value");
});

test.run();
