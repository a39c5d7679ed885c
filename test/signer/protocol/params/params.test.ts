import { test } from "uvu";
import * as assert from "uvu/assert";
import { parsePolicyDocument } from "../../../../signer/policy/parse_policy_document.ts";
import { describeValue } from "../../../../signer/protocol/params/describe_value.ts";
import { InvalidParamsError } from "../../../../signer/protocol/params/invalid_params_error.ts";
import { isHexAddress, parseAddress } from "../../../../signer/protocol/params/parse_address.ts";
import { parseHexBytes } from "../../../../signer/protocol/params/parse_hex_bytes.ts";
import { parseQuantity } from "../../../../signer/protocol/params/parse_quantity.ts";

// The one set of wire-format rules the signer and the rpc-proxy both parse params with.

function refusal(run: () => unknown): InvalidParamsError {
  try {
    run();
  } catch (error) {
    assert.instance(error, InvalidParamsError);
    return error as InvalidParamsError;
  }
  throw new Error("expected INVALID_PARAMS");
}

test("parseQuantity() takes JSON-RPC quantities: 0x, hex digits, no leading zeros; refuses the rest naming the field", () => {
  assert.is(parseQuantity("0x0", "value"), 0n);
  assert.is(parseQuantity("0x5208", "gas"), 21000n);
  assert.is(parseQuantity("0xABCdef", "value"), 0xabcdefn);
  for (const bad of ["0x01", "0x00", "0x", "5208", "0xg", 21000, null, "0x-1", ` 0x1`]) {
    const error = refusal(() => parseQuantity(bad, "params[0].value"));
    assert.is(error.field, "params[0].value", String(bad));
    assert.match(error.message, /^Invalid params\[0\]\.value: expected a hex quantity/);
  }
});

test("parseQuantity() holds each field to its width: uint64 for gas and nonce, uint256 by default", () => {
  assert.is(parseQuantity("0xffffffffffffffff", "gas", { bits: 64 }), 2n ** 64n - 1n);
  assert.match(refusal(() => parseQuantity("0x10000000000000000", "gas", { bits: 64 })).message, /gas: exceeds 64 bits/);
  assert.is(parseQuantity(`0x${"f".repeat(64)}`, "value"), 2n ** 256n - 1n);
  assert.match(refusal(() => parseQuantity(`0x1${"0".repeat(64)}`, "value")).message, /value: expected a hex quantity/);
});

test("addresses: any case has the form; to sign, one case is lower-cased and mixed case must be a valid EIP-55 checksum", () => {
  const checksummed = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
  assert.ok(isHexAddress(checksummed) && isHexAddress(checksummed.toLowerCase()));
  assert.not.ok(isHexAddress("0x7099") || isHexAddress(42) || isHexAddress(`${checksummed}00`));
  assert.is(parseAddress(checksummed, "to"), checksummed);
  assert.is(parseAddress(checksummed.toUpperCase().replace("0X", "0x"), "to"), checksummed.toLowerCase());
  assert.match(refusal(() => parseAddress(checksummed.replace("C51", "c51"), "to")).message, /to: mixed-case address with a wrong EIP-55 checksum/);
  assert.match(refusal(() => parseAddress("0x7099", "params[0].to")).message, /^Invalid params\[0\]\.to: expected a 20-byte address, got "0x7099"/);
});

test("parseHexBytes() takes an even number of hex digits, of an exact length when asked", () => {
  assert.is(parseHexBytes("0x", "data"), "0x");
  assert.is(parseHexBytes("0xa9059cbb", "data"), "0xa9059cbb");
  assert.match(refusal(() => parseHexBytes("0x123", "data")).message, /data: expected 0x-prefixed hex bytes/);
  assert.match(refusal(() => parseHexBytes("0x12", "hash", { length: 32 })).message, /hash: expected 32 bytes of hex/);
});

test("describeValue() names null and arrays, so a refusal never reads \"expected an object, got object\"", () => {
  assert.equal([null, [], [1], {}, 1, true, undefined, "x"].map(describeValue), ["null", "array", "array", "object", "number", "boolean", "undefined", '"x"']);
  // Before: "Invalid policy: expected an object, got object" for a document that is null or an array.
  assert.is(refusal(() => parsePolicyDocument(null, { now: 0 })).message, "Invalid policy: expected an object, got null");
  assert.is(refusal(() => parsePolicyDocument([], { now: 0 })).message, "Invalid policy: expected an object, got array");
});

test.run();
