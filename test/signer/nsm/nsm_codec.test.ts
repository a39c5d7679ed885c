import { test } from "uvu";
import * as assert from "uvu/assert";
import { decodeNsmRequest } from "../../../signer/nsm/simulated/decode_nsm_request.ts";
import { decodeNsmResponse } from "../../../signer/nsm/decode_nsm_response.ts";
import { encodeNsmRequest } from "../../../signer/nsm/encode_nsm_request.ts";
import { encodeNsmResponse } from "../../../signer/nsm/simulated/encode_nsm_response.ts";
import type { NsmRequest } from "../../../signer/nsm/nsm.ts";
import { NsmError } from "../../../signer/nsm/nsm_error.ts";

// Expected bytes written out by hand from RFC 8949 (major type 3 text = 0x60+len, 5 map = 0xa0+len,
// 2 bytes = 0x40+len, null = 0xf6), matching what serde_cbor writes for aws-nitro-enclaves-nsm-api's enums.
const text = (s: string) => (s.length < 24 ? (0x60 + s.length).toString(16) : `78${s.length.toString(16).padStart(2, "0")}`) + Buffer.from(s).toString("hex");
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

test("encodeNsmRequest() writes GetRandom and DescribeNSM as bare text (unit variants)", () => {
  assert.is(hex(encodeNsmRequest({ type: "GetRandom" })), "6947657452616e646f6d");
  assert.is(hex(encodeNsmRequest({ type: "DescribeNSM" })), text("DescribeNSM"));
  assert.is(text("DescribeNSM"), "6b44657363726962654e534d");
});

test("encodeNsmRequest() writes DescribePCR as { DescribePCR: { index } }", () => {
  assert.is(hex(encodeNsmRequest({ type: "DescribePCR", index: 0 })), `a1${text("DescribePCR")}a1${text("index")}00`);
  assert.is(hex(encodeNsmRequest({ type: "DescribePCR", index: 31 })), `a1${text("DescribePCR")}a1${text("index")}181f`);
  assert.is(hex(encodeNsmRequest({ type: "DescribePCR", index: 300 })), `a1${text("DescribePCR")}a1${text("index")}19012c`);
});

test("encodeNsmRequest() writes Attestation with user_data, nonce, public_key in that order, null when absent", () => {
  const empty = encodeNsmRequest({ type: "Attestation", userData: null, nonce: null, publicKey: null });
  assert.is(hex(empty), `a1${text("Attestation")}a3${text("user_data")}f6${text("nonce")}f6${text("public_key")}f6`);
  assert.is(hex(empty), "a16b4174746573746174696f6ea369757365725f64617461f6656e6f6e6365f66a7075626c69635f6b6579f6");
  const full = encodeNsmRequest({ type: "Attestation", userData: bytes("aa"), nonce: bytes("0102"), publicKey: bytes("030405") });
  assert.is(hex(full), `a1${text("Attestation")}a3${text("user_data")}41aa${text("nonce")}420102${text("public_key")}43030405`);
});

test("encodeNsmRequest() refuses bad arguments", () => {
  assert.throws(() => encodeNsmRequest({ type: "DescribePCR", index: -1 }), RangeError);
  assert.throws(() => encodeNsmRequest({ type: "DescribePCR", index: 65536 }), RangeError);
  assert.throws(() => encodeNsmRequest({ type: "Attestation", userData: "x" as never, nonce: null, publicKey: null }), TypeError);
  assert.throws(() => encodeNsmRequest({ type: "ExtendPCR" } as never), TypeError);
});

test("decodeNsmRequest() inverts encodeNsmRequest() and reads absent Attestation fields as null", () => {
  const requests: NsmRequest[] = [
    { type: "GetRandom" },
    { type: "DescribeNSM" },
    { type: "DescribePCR", index: 7 },
    { type: "Attestation", userData: bytes("aa"), nonce: null, publicKey: bytes("0102") },
  ];
  for (const request of requests) assert.equal(decodeNsmRequest(encodeNsmRequest(request)), request);
  assert.equal(decodeNsmRequest(bytes(`a1${text("Attestation")}a0`)), { type: "Attestation", userData: null, nonce: null, publicKey: null });
  for (const bad of ["ff", text("LockPCR"), `a1${text("DescribePCR")}a1${text("index")}${text("x")}`]) {
    assert.throws(() => decodeNsmRequest(bytes(bad)), (e: unknown) => e instanceof NsmError && e.reason === "InvalidArgument");
  }
});

test("decodeNsmResponse() reads each response shape", () => {
  assert.equal(decodeNsmResponse(bytes(`a1${text("Attestation")}a1${text("document")}43010203`)), { type: "Attestation", document: bytes("010203") });
  assert.equal(decodeNsmResponse(bytes(`a1${text("GetRandom")}a1${text("random")}42abcd`)), { type: "GetRandom", random: bytes("abcd") });
  assert.equal(decodeNsmResponse(bytes(`a1${text("DescribePCR")}a2${text("lock")}f5${text("data")}42abcd`)), { type: "DescribePCR", lock: true, data: bytes("abcd") });
  const describe = `a1${text("DescribeNSM")}a7${text("version_major")}01${text("version_minor")}00${text("version_patch")}00${text("module_id")}${text("i-1-enc2")}${text("max_pcrs")}1820${text("locked_pcrs")}83000102${text("digest")}${text("SHA384")}`;
  assert.equal(decodeNsmResponse(bytes(describe)), {
    type: "DescribeNSM",
    description: { versionMajor: 1, versionMinor: 0, versionPatch: 0, moduleId: "i-1-enc2", maxPcrs: 32, lockedPcrs: [0, 1, 2], digest: "SHA384" },
  });
});

test("decodeNsmResponse() turns { Error: code } into an Error response", () => {
  assert.equal(decodeNsmResponse(bytes(`a1${text("Error")}${text("InvalidIndex")}`)), { type: "Error", code: "InvalidIndex" });
  assert.equal(decodeNsmResponse(bytes(`a1${text("Error")}${text("InputTooLarge")}`)), { type: "Error", code: "InputTooLarge" });
});

test("decodeNsmResponse() refuses malformed responses with InvalidResponse", () => {
  const malformed = [
    "",
    "ff",
    text("GetRandom"),
    `a1${text("Error")}${text("Nope")}`,
    `a1${text("GetRandom")}a1${text("random")}${text("not bytes")}`,
    `a1${text("DescribePCR")}a2${text("lock")}01${text("data")}42abcd`,
    `a1${text("Mystery")}a0`,
    `a1${text("Attestation")}a1${text("document")}43010203ff`,
  ];
  for (const m of malformed) {
    assert.throws(() => decodeNsmResponse(bytes(m)), (e: unknown) => e instanceof NsmError && e.reason === "InvalidResponse", m);
  }
});

test("encodeNsmResponse() writes what decodeNsmResponse() reads, fields in the NSM's order", () => {
  const pcr = encodeNsmResponse({ type: "DescribePCR", lock: false, data: bytes("00") });
  assert.is(hex(pcr), `a1${text("DescribePCR")}a2${text("lock")}f4${text("data")}4100`);
  assert.is(hex(encodeNsmResponse({ type: "Error", code: "InvalidIndex" })), `a1${text("Error")}${text("InvalidIndex")}`);
  const description = { versionMajor: 1, versionMinor: 2, versionPatch: 3, moduleId: "m", maxPcrs: 32, lockedPcrs: [2, 0, 1], digest: "SHA384" as const };
  assert.equal(decodeNsmResponse(encodeNsmResponse({ type: "DescribeNSM", description })), {
    type: "DescribeNSM",
    description: { ...description, lockedPcrs: [0, 1, 2] },
  });
});

test.run();
