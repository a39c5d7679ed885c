// The COSE_Sign1 envelope checks of verifyAttestationDocument() (decode_cose_sign1.ts): each malformed envelope
// is refused with its check ("cbor" or "cose-structure") and its exact reason, before any certificate or
// signature work (issue 20: mutants that survived).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "cborg";
import { AttestationError, verifyAttestationDocument } from "../../../signer/attestation/verify_attestation_document.ts";
import { createSimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";
import { type Parts, split } from "./document_tools.ts";

const T0 = Date.parse("2026-03-01T12:00:00Z");
let roots: string[];
let document: Uint8Array;
let parts: Parts;
let payload: Uint8Array;

test.before(async () => {
  const nsm = await createSimulatedNsm({ clock: () => T0 });
  roots = [nsm.rootCertificatePem];
  document = await nsm.attest({ nonce: new Uint8Array(8) });
  parts = split(document);
  payload = encode(parts.payload, { mapSorter: () => 0 });
});

async function refusal(bytes: Uint8Array): Promise<AttestationError> {
  try {
    await verifyAttestationDocument(bytes, { roots, at: T0 });
  } catch (error) {
    assert.instance(error, AttestationError, String(error));
    return error as AttestationError;
  }
  return assert.unreachable("expected an AttestationError") as never;
}

async function refused(bytes: Uint8Array, check: string, reason: string | RegExp): Promise<AttestationError> {
  const e = await refusal(bytes);
  assert.is(e.check, check, e.reason);
  if (typeof reason === "string") assert.is(e.reason, reason);
  else assert.match(e.reason, reason);
  return e;
}

const cat = (...chunks: (number[] | Uint8Array)[]) => new Uint8Array(chunks.flatMap((c) => [...c]));

test("undecodable CBOR is a cbor refusal that says so and keeps the decoder's error as its cause", async () => {
  const e = await refused(new Uint8Array([0xff, 0x00]), "cbor", /^Cannot decode COSE_Sign1: ./);
  assert.instance(e.cause, Error);
  // Tag 18 followed by nothing decodable.
  await refused(new Uint8Array([0xd2, 0xff]), "cbor", /^Cannot decode COSE_Sign1: /);
});

test("the envelope must be an array of exactly 4 items", async () => {
  const reason = "COSE_Sign1 must be an array of 4 items";
  await refused(encode([parts.protectedHeader, new Map(), payload]), "cose-structure", reason);
  await refused(encode([parts.protectedHeader, new Map(), payload, parts.signature, new Uint8Array(1)]), "cose-structure", reason);
  await refused(encode(new Map([[1, 2]])), "cose-structure", reason);
  // Four of something that is not an array: a 4-character text.
  await refused(encode("abcd"), "cose-structure", reason);
});

test("the headers must be a bstr and a map", async () => {
  const reason = "COSE_Sign1 headers must be a bstr and a map";
  await refused(encode(["\u00a1\u0001", new Map(), payload, parts.signature]), "cose-structure", reason);
  await refused(encode([parts.protectedHeader, [], payload, parts.signature]), "cose-structure", reason);
  await refused(encode([parts.protectedHeader, new Uint8Array(0), payload, parts.signature]), "cose-structure", reason);
});

test("the payload must be a non-empty bstr, the signature 96 bytes", async () => {
  await refused(encode([parts.protectedHeader, new Map(), new Uint8Array(0), parts.signature]), "cose-structure", "COSE_Sign1 payload must be a non-empty bstr");
  await refused(encode([parts.protectedHeader, new Map(), "text", parts.signature]), "cose-structure", "COSE_Sign1 payload must be a non-empty bstr");
  for (const length of [0, 64, 95, 97]) {
    await refused(encode([parts.protectedHeader, new Map(), payload, new Uint8Array(length)]), "cose-structure", "ES384 signature must be a 96-byte bstr (r‖s)");
  }
  await refused(encode([parts.protectedHeader, new Map(), payload, "x".repeat(96)]), "cose-structure", "ES384 signature must be a 96-byte bstr (r‖s)");
});

test("the protected header must decode, name ES384 and carry no crit", async () => {
  const e = await refused(encode([new Uint8Array([0xff]), new Map(), payload, parts.signature]), "cbor", /^Cannot decode protected header: ./);
  assert.instance(e.cause, Error);
  // A duplicate key in the protected header (rejectDuplicateMapKeys): {1: -35, 1: -35}.
  await refused(encode([new Uint8Array([0xa2, 0x01, 0x38, 0x22, 0x01, 0x38, 0x22]), new Map(), payload, parts.signature]), "cbor", /^Cannot decode protected header: /);
  const alg = "Protected header must name alg ES384 (-35)";
  await refused(encode([encode(new Map([[1, -7]])), new Map(), payload, parts.signature]), "cose-structure", alg);
  await refused(encode([encode([1, -35]), new Map(), payload, parts.signature]), "cose-structure", alg);
  await refused(encode([encode(new Map()), new Map(), payload, parts.signature]), "cose-structure", alg);
  await refused(encode([encode(new Map<number, unknown>([[1, -35], [2, [1]]])), new Map(), payload, parts.signature]), "cose-structure", "Protected header has unsupported crit");
});

test("undefined (0xf7) anywhere in the envelope is not CBOR this verifier takes", async () => {
  // [protected, {1: undefined}, payload, signature], built by hand (cborg refuses to encode undefined by default).
  const head = encode(parts.protectedHeader);
  const tail = cat(encode(payload), encode(parts.signature));
  await refused(cat([0x84], head, [0xa1, 0x01, 0xf7], tail), "cbor", /^Cannot decode COSE_Sign1: /);
});

test("a well-formed envelope with the original bytes still verifies, tagged or not (the cases above differ only where they say)", async () => {
  await verifyAttestationDocument(document, { roots, at: T0 });
  await verifyAttestationDocument(cat([0xd2], document), { roots, at: T0 });
  // The unprotected header is not signed and may carry anything decodable.
  const withUnprotected = encode([parts.protectedHeader, new Map([[4, new Uint8Array([1])]]), payloadOf(document), parts.signature]);
  await verifyAttestationDocument(withUnprotected, { roots, at: T0 });
});

/** The payload bstr content exactly as in `doc` (split() re-decodes it; this keeps the signed bytes). */
function payloadOf(doc: Uint8Array): Uint8Array {
  // Untagged [h'a1013822', {}, payload, signature]: 0x84, the 5-byte protected bstr, 0xa0, then the payload bstr.
  let i = 1 + 5 + 1;
  const initial = doc[i]!;
  let length: number;
  if ((initial & 0x1f) < 24) { length = initial & 0x1f; i += 1; }
  else if ((initial & 0x1f) === 24) { length = doc[i + 1]!; i += 2; }
  else if ((initial & 0x1f) === 25) { length = (doc[i + 1]! << 8) | doc[i + 2]!; i += 3; }
  else { length = ((doc[i + 1]! << 24) >>> 0) + (doc[i + 2]! << 16) + (doc[i + 3]! << 8) + doc[i + 4]!; i += 5; }
  return doc.subarray(i, i + length);
}

test.run();
