import { test } from "uvu";
import * as assert from "uvu/assert";
import { AwsJsonError } from "../../../local/aws/aws_json_error.ts";
import { evaluateKeyPolicy, type KeyPolicyRequest } from "../../../local/kms/evaluate_key_policy.ts";
import { parseKeyPolicy } from "../../../local/kms/parse_key_policy.ts";

const INSTANCE = "arn:aws:iam::111122223333:role/nitro-signer-instance";
const ADMIN = "arn:aws:iam::111122223333:role/nitro-signer-admin";
const KEY = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";
const PCR0 = "ab".repeat(48);

const policy = (...statements: object[]) => parseKeyPolicy(JSON.stringify({ Version: "2012-10-17", Statement: statements }));
const request = (overrides: Partial<KeyPolicyRequest> = {}): KeyPolicyRequest => ({
  principalArn: INSTANCE,
  action: "kms:Decrypt",
  resource: KEY,
  context: {},
  ...overrides,
});
const decide = (p: ReturnType<typeof policy>, r: Partial<KeyPolicyRequest> = {}) => evaluateKeyPolicy(p, request(r)).decision;
const allow = (extra: object = {}) => ({ Effect: "Allow", Principal: { AWS: INSTANCE }, Action: "kms:Decrypt", Resource: "*", ...extra });

test("evaluateKeyPolicy() allows a matching statement and implicitly denies everything else", () => {
  const p = policy(allow());
  assert.is(decide(p), "Allow");
  assert.is(decide(p, { principalArn: ADMIN }), "ImplicitDeny");
  assert.is(decide(p, { action: "kms:Encrypt" }), "ImplicitDeny");
});

test("evaluateKeyPolicy() lets an explicit Deny win over any Allow", () => {
  const p = policy(allow(), { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" });
  assert.equal(evaluateKeyPolicy(p, request()), { decision: "ExplicitDeny", statement: "#1" });
});

test("evaluateKeyPolicy() matches actions case-insensitively with * and ? wildcards", () => {
  assert.is(decide(policy(allow({ Action: "KMS:decrypt" }))), "Allow");
  assert.is(decide(policy(allow({ Action: "kms:Gen*" })), { action: "kms:GenerateDataKey" }), "Allow");
  assert.is(decide(policy(allow({ Action: "kms:?ecrypt" }))), "Allow");
  assert.is(decide(policy(allow({ Action: "kms:Gen*" }))), "ImplicitDeny");
  assert.is(decide(policy(allow({ Action: undefined, NotAction: "kms:Decrypt" }))), "ImplicitDeny");
  assert.is(decide(policy(allow({ Action: undefined, NotAction: "kms:Decrypt" })), { action: "kms:Encrypt" }), "Allow");
});

test("evaluateKeyPolicy() treats the account root (or bare account id) as every principal of the account", () => {
  assert.is(decide(policy(allow({ Principal: { AWS: "arn:aws:iam::111122223333:root" } })), { principalArn: ADMIN }), "Allow");
  assert.is(decide(policy(allow({ Principal: { AWS: "111122223333" } })), { principalArn: ADMIN }), "Allow");
  assert.is(decide(policy(allow({ Principal: { AWS: "arn:aws:iam::444455556666:root" } }))), "ImplicitDeny");
  assert.is(decide(policy(allow({ Principal: "*" }))), "Allow");
  assert.is(decide(policy(allow({ Principal: { Service: "ec2.amazonaws.com" } }))), "ImplicitDeny");
  assert.is(decide(policy({ Effect: "Deny", NotPrincipal: { AWS: INSTANCE }, Action: "kms:*", Resource: "*" }, allow({ Principal: "*" })), { principalArn: ADMIN }), "ExplicitDeny");
});

test("evaluateKeyPolicy() checks the resource", () => {
  assert.is(decide(policy(allow({ Resource: KEY }))), "Allow");
  assert.is(decide(policy(allow({ Resource: "arn:aws:kms:us-east-1:111122223333:key/*" }))), "Allow");
  assert.is(decide(policy(allow({ Resource: "arn:aws:kms:eu-west-1:111122223333:key/*" }))), "ImplicitDeny");
});

test("kms:RecipientAttestation:ImageSha384 with StringEqualsIgnoreCase: present and equal allows; absent or different does not", () => {
  const p = policy(allow({ Condition: { StringEqualsIgnoreCase: { "kms:RecipientAttestation:ImageSha384": PCR0.toUpperCase() } } }));
  assert.is(decide(p, { context: { "kms:RecipientAttestation:ImageSha384": PCR0 } }), "Allow");
  assert.is(decide(p, { context: { "kms:recipientattestation:imagesha384": PCR0 } }), "Allow");
  assert.is(decide(p, { context: { "kms:RecipientAttestation:ImageSha384": "cd".repeat(48) } }), "ImplicitDeny");
  assert.is(decide(p, { context: {} }), "ImplicitDeny");
});

test("kms:RecipientAttestation:PCR<n> conditions combine with AND across keys and OR across values", () => {
  const p = policy(allow({
    Condition: {
      StringEqualsIgnoreCase: { "kms:RecipientAttestation:PCR0": [PCR0, "ee".repeat(48)], "kms:RecipientAttestation:PCR8": "11".repeat(48) },
    },
  }));
  const ctx = { "kms:RecipientAttestation:PCR0": "ee".repeat(48), "kms:RecipientAttestation:PCR8": "11".repeat(48) };
  assert.is(decide(p, { context: ctx }), "Allow");
  assert.is(decide(p, { context: { ...ctx, "kms:RecipientAttestation:PCR8": "22".repeat(48) } }), "ImplicitDeny");
});

test("Null: true matches an absent key, false a present one", () => {
  const deny = { Effect: "Deny", Principal: "*", Action: "kms:Decrypt", Resource: "*", Condition: { Null: { "kms:RecipientAttestation:ImageSha384": "true" } } };
  const p = policy(allow(), deny);
  assert.is(decide(p), "ExplicitDeny");
  assert.is(decide(p, { context: { "kms:RecipientAttestation:ImageSha384": PCR0 } }), "Allow");
  const present = policy(allow({ Condition: { Null: { "kms:EncryptionContext:address": false } } }));
  assert.is(decide(present, { context: { "kms:EncryptionContext:address": "0x1" } }), "Allow");
  assert.is(decide(present), "ImplicitDeny");
});

test("negated operators hold for an absent key; IfExists holds for an absent key", () => {
  assert.is(decide(policy(allow({ Condition: { StringNotEquals: { "kms:EncryptionContext:app": "evil" } } }))), "Allow");
  assert.is(decide(policy(allow({ Condition: { StringNotEquals: { "kms:EncryptionContext:app": "evil" } } })), { context: { "kms:EncryptionContext:app": "evil" } }), "ImplicitDeny");
  assert.is(decide(policy(allow({ Condition: { StringEqualsIfExists: { "kms:EncryptionContext:app": "x" } } }))), "Allow");
  assert.is(decide(policy(allow({ Condition: { StringEqualsIfExists: { "kms:EncryptionContext:app": "x" } } })), { context: { "kms:EncryptionContext:app": "y" } }), "ImplicitDeny");
});

test("StringLike on kms:EncryptionContext:<key>", () => {
  const p = policy(allow({ Condition: { StringLike: { "kms:EncryptionContext:address": "0x*" } } }));
  assert.is(decide(p, { context: { "kms:EncryptionContext:address": "0xAbC" } }), "Allow");
  assert.is(decide(p, { context: { "kms:EncryptionContext:address": "1xAbC" } }), "ImplicitDeny");
});

test("ForAllValues / ForAnyValue over kms:EncryptionContextKeys", () => {
  const all = policy(allow({ Condition: { "ForAllValues:StringEquals": { "kms:EncryptionContextKeys": ["app", "address"] } } }));
  assert.is(decide(all, { context: { "kms:EncryptionContextKeys": ["app", "address"] } }), "Allow");
  assert.is(decide(all, { context: { "kms:EncryptionContextKeys": ["app", "extra"] } }), "ImplicitDeny");
  assert.is(decide(all), "Allow", "ForAllValues is vacuously true for an absent key");
  const any = policy(allow({ Condition: { "ForAnyValue:StringEquals": { "kms:EncryptionContextKeys": "address" } } }));
  assert.is(decide(any, { context: { "kms:EncryptionContextKeys": ["app", "address"] } }), "Allow");
  assert.is(decide(any, { context: { "kms:EncryptionContextKeys": ["app"] } }), "ImplicitDeny");
  assert.is(decide(any), "ImplicitDeny");
});

test("Bool and Numeric operators", () => {
  assert.is(decide(policy(allow({ Condition: { Bool: { "aws:SecureTransport": true } } })), { context: { "aws:SecureTransport": "true" } }), "Allow");
  assert.is(decide(policy(allow({ Condition: { NumericLessThan: { "aws:EpochTime": 100 } } })), { context: { "aws:EpochTime": "99" } }), "Allow");
  assert.is(decide(policy(allow({ Condition: { NumericLessThan: { "aws:EpochTime": 100 } } })), { context: { "aws:EpochTime": "100" } }), "ImplicitDeny");
});

test("parseKeyPolicy() refuses malformed documents with MalformedPolicyDocumentException", () => {
  const bad = [
    "not json",
    "[]",
    JSON.stringify({ Statement: [] }),
    JSON.stringify({ Statement: [{ Effect: "Maybe", Principal: "*", Action: "kms:*", Resource: "*" }] }),
    JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] }),
    JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Resource: "*" }] }),
    JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*" }] }),
    JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*", Condition: { StringSortOf: { a: "b" } } }] }),
    JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "bob" }, Action: "kms:*", Resource: "*" }] }),
    JSON.stringify({ Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*", Extra: 1 }] }),
    JSON.stringify({ Version: "2099-01-01", Statement: [{ Effect: "Allow", Principal: "*", Action: "kms:*", Resource: "*" }] }),
    "x".repeat(40000),
  ];
  for (const document of bad) {
    assert.throws(
      () => parseKeyPolicy(document),
      (e: unknown) => e instanceof AwsJsonError && e.type === "MalformedPolicyDocumentException",
      document.slice(0, 80),
    );
  }
});

test.run();
