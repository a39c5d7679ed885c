import { test } from "uvu";
import * as assert from "uvu/assert";
import { bytesToHex, sha256, stringToBytes } from "viem";
import { MIN_API_KEY_LENGTH, parseApiKeys } from "../../../rpc-proxy/auth/parse_api_keys.ts";

// The API keys file, entry by entry: what each field accepts at its edges, what the parsed entry holds, and the
// exact one-line reason for each refusal (naming the entry, never the key). Each refusal here is one an operator
// would otherwise find as a key that silently lets in more, or less, than the file says.
const A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const KEY = "k".repeat(MIN_API_KEY_LENGTH);
const HASH = sha256(stringToBytes(KEY));
const entry = (fields: Record<string, unknown>) => ({ key: KEY, accounts: ["*"], methods: ["*"], ...fields });

function refusal(value: unknown): Error {
  try {
    parseApiKeys(value);
  } catch (error) {
    assert.instance(error, Error);
    assert.not.match((error as Error).message, KEY, "never the key");
    return error as Error;
  }
  throw new assert.Assertion({ message: `accepted ${JSON.stringify(value)}`, operator: "throws", actual: value, expects: "an error", generated: true });
}

test("an entry keeps its name (key-<index> when absent), the key's SHA-256, and its accounts and methods", () => {
  const keys = parseApiKeys([
    entry({ key: "a".repeat(20), accounts: [A, B.toLowerCase()], methods: ["sign", "read"] }),
    entry({ name: "ops", key: undefined, keySha256: HASH, methods: ["node-admin", "*"], accounts: ["*", A] }),
  ]);
  assert.is(keys.length, 2);
  assert.is(keys[0]!.name, "key-0");
  assert.is(bytesToHex(keys[0]!.hash), sha256(stringToBytes("a".repeat(20))));
  assert.equal(keys[0]!.accounts, new Set([A.toLowerCase(), B.toLowerCase()]), "addresses kept lower-case");
  assert.equal(keys[0]!.methods, new Set(["sign", "read"]));
  assert.is(keys[1]!.name, "ops");
  assert.is(bytesToHex(keys[1]!.hash), HASH);
  assert.is(keys[1]!.accounts, "*", "a * among addresses means every account");
  assert.is(keys[1]!.methods, "*", "a * among groups means every group");
  assert.equal(parseApiKeys([]), []);
});

test("keySha256 is 64 hex digits, with or without 0x, in either case; anything else is refused", () => {
  for (const keySha256 of [HASH, HASH.slice(2), HASH.toUpperCase().replace("0X", "0x"), HASH.slice(2).toUpperCase()]) {
    const [key] = parseApiKeys([entry({ key: undefined, keySha256 })]);
    assert.is(bytesToHex(key!.hash), HASH, keySha256);
  }
  for (const keySha256 of [HASH.slice(0, -1), `${HASH}0`, `x${HASH.slice(2)}`, ` ${HASH}`, `${HASH} `, `0X${HASH.slice(2)}`, HASH.replace(/.$/, "g"), 42]) {
    assert.is(
      refusal([entry({ key: undefined, keySha256 })]).message,
      'Invalid API key #0 (key-0): give exactly one of "key" (text) or "keySha256" (64 hex digits)',
      String(keySha256),
    );
  }
});

test("a key of 16 characters is taken; 15 are refused; key and keySha256 together, or neither, are refused", () => {
  assert.is(parseApiKeys([entry({ key: "x".repeat(16) })]).length, 1);
  const short = refusal([entry({ name: "short", key: "y".repeat(15) })]);
  assert.instance(short, RangeError);
  assert.is(short.message, "Invalid API key #0 (short): key shorter than 16 characters");
  for (const fields of [{ keySha256: HASH }, { key: undefined }, { key: 12345678901234567890 }]) {
    const error = refusal([entry(fields)]);
    assert.instance(error, TypeError);
    assert.is(error.message, 'Invalid API key #0 (key-0): give exactly one of "key" (text) or "keySha256" (64 hex digits)');
  }
});

test("the same key twice is refused, also when once as key and once as keySha256", () => {
  assert.is(refusal([entry({}), entry({ name: "again" })]).message, "Invalid API key #1 (again): the same key appears twice");
  assert.is(refusal([entry({ name: "plain" }), entry({ name: "hashed", key: undefined, keySha256: HASH.slice(2).toUpperCase() })]).message, "Invalid API key #1 (hashed): the same key appears twice");
  assert.is(parseApiKeys([entry({}), entry({ key: `${KEY}2` })]).length, 2, "different keys");
});

test("names are text of 1 to 64 characters", () => {
  assert.is(parseApiKeys([entry({ name: "n".repeat(64) })])[0]!.name, "n".repeat(64));
  assert.is(parseApiKeys([entry({ name: "n" })])[0]!.name, "n");
  for (const name of ["", "n".repeat(65), 7, null]) {
    const error = refusal([entry({ name })]);
    assert.instance(error, TypeError);
    assert.is(error.message, "Invalid API key #0: name must be text of 1–64 characters", String(name));
  }
});

test("the file is an array of objects with only the known fields", () => {
  assert.is(refusal({}).message, "Invalid API keys: expected a JSON array of { key, accounts, methods }");
  assert.is(refusal("[]").message, "Invalid API keys: expected a JSON array of { key, accounts, methods }");
  for (const value of [null, [], "key", 1]) {
    assert.is(refusal([entry({}), value]).message, "Invalid API key #1: expected an object", JSON.stringify(value));
  }
  assert.is(refusal([entry({ Key: KEY })]).message, 'Invalid API key #0: unknown field "Key"');
});

test("accounts and methods are non-empty arrays of addresses / known groups, or contain *", () => {
  for (const accounts of [undefined, [], "*", A]) {
    assert.is(refusal([entry({ accounts })]).message, 'Invalid API key #0: accounts must be a non-empty array of addresses or "*"', String(accounts));
  }
  assert.is(refusal([entry({ accounts: [A, "0x12"] })]).message, 'Invalid API key #0: "0x12" is not an address');
  for (const methods of [undefined, [], "*", "sign"]) {
    assert.is(refusal([entry({ methods })]).message, 'Invalid API key #0: methods must be a non-empty array of sign, send, read, attest, node-admin or "*"', String(methods));
  }
  assert.is(
    refusal([entry({ methods: ["sign", "Sign"] })]).message,
    'Invalid API key #0: unknown method group "Sign" (expected sign, send, read, attest, node-admin or "*")',
  );
});

test.run();
