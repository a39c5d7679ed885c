import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHash } from "node:crypto";
import { decode, encode } from "cborg";
import {
  AttestationError,
  type AttestationCheck,
  verifyAttestationDocument,
} from "../../../signer/attestation/verify_attestation_document.ts";
import { createSimulatedNsm, type SimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";
import { ErrorCode } from "../../../signer/protocol/error_codes.ts";
import { BaseError } from "../../../signer/protocol/base_error.ts";
import { flipInside, join, split, withPayload } from "./document_tools.ts";
import { documentWithChain, goodSpecs, issueChain } from "./custom_chain.ts";
import { AWS_NITRO_ROOT_G1_PEM, AWS_NITRO_ROOT_G1_SHA256 } from "../../../signer/attestation/aws_nitro_root_g1.ts";
import { HAVE_NITRO_FIXTURES, readAwsRootPem, readRealDocument, REAL_DOCUMENTS } from "./fixtures.ts";

const real = HAVE_NITRO_FIXTURES ? test : test.skip;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

async function rejects(promise: Promise<unknown>, check: AttestationCheck): Promise<AttestationError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, AttestationError, String(error));
    const e = error as AttestationError;
    assert.is(e.check, check, `expected check ${check}, got ${e.check}: ${e.reason}`);
    assert.instance(e, BaseError);
    assert.is(e.code, ErrorCode.attestation);
    return e;
  }
  return assert.unreachable(`expected rejection with ${check}`) as never;
}

type VerifyOptions = NonNullable<Parameters<typeof verifyAttestationDocument>[1]>;

async function throwsAsync(fn: () => Promise<unknown>, type: new (...args: never[]) => Error): Promise<void> {
  try {
    await fn();
  } catch (error) {
    assert.instance(error, type, String(error));
    return;
  }
  assert.unreachable(`expected ${type.name}`);
}

// One simulated NSM with a fixed clock for the whole file (PKI generation is the slow part).
const T0 = Date.parse("2026-03-01T12:00:00Z");
const APPROVED_PCR0 = "ab".repeat(48);
let nsm: SimulatedNsm;
let roots: string[];
let nonce: Uint8Array;
let userData: Uint8Array;
let document: Uint8Array;

test.before(async () => {
  nsm = await createSimulatedNsm({ clock: () => T0, pcrs: { 0: APPROVED_PCR0 } });
  roots = [nsm.rootCertificatePem];
  nonce = new Uint8Array(32).fill(0x5a);
  userData = new TextEncoder().encode("user data: hello");
  document = await nsm.attest({ nonce, userData, publicKey: new Uint8Array(120).fill(7) });
});

for (const doc of REAL_DOCUMENTS) {
  real(`verifyAttestationDocument() accepts real ${doc.file} at its own timestamp`, async () => {
    const bytes = readRealDocument(doc.file);
    const parsed = await verifyAttestationDocument(bytes, { at: doc.timestamp });
    assert.is(parsed.timestamp, doc.timestamp);
    assert.is(parsed.digest, "SHA384");
    assert.is(parsed.cabundle.length, 4);
    assert.equal(Object.keys(parsed.pcrs).map(Number), Array.from({ length: 16 }, (_, i) => i));
    // Parser cross-check (fixtures README): PCR4 = SHA-384(48 zero bytes ‖ UTF-8 instance id prefix of module_id).
    const instanceId = parsed.moduleId.split("-enc")[0]!;
    assert.match(instanceId, /^i-[0-9a-f]{17}$/);
    const pcr4 = createHash("sha384").update(Buffer.concat([Buffer.alloc(48), Buffer.from(instanceId, "utf8")])).digest();
    assert.is(hex(parsed.pcrs[4]!), pcr4.toString("hex"));
    // The payload map form the fixture is there to cover.
    const payloadBytes = (decode(bytes) as Uint8Array[])[2]!;
    assert.is(payloadBytes[0] === 0xbf, doc.indefinite, "payload map form (0xbf = indefinite-length)");
    if (doc.debug) {
      for (const i of [0, 1, 2]) assert.is(hex(parsed.pcrs[i]!), "00".repeat(48));
      assert.is(parsed.publicKey?.length, 5);
    } else {
      assert.is.not(hex(parsed.pcrs[0]!), "00".repeat(48));
    }
  });

  real(`verifyAttestationDocument() rejects real ${doc.file} now: its certificates expired`, async () => {
    await rejects(verifyAttestationDocument(readRealDocument(doc.file)), "validity");
  });
}

real("verifyAttestationDocument() accepts the AWS root given explicitly as PEM and as DER", async () => {
  const doc = REAL_DOCUMENTS[0]!;
  const pem = readAwsRootPem();
  await verifyAttestationDocument(readRealDocument(doc.file), { at: doc.timestamp, roots: [pem] });
  const der = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));
  await verifyAttestationDocument(readRealDocument(doc.file), { at: new Date(doc.timestamp), roots: [der] });
});

real("verifyAttestationDocument() checks PCR expectations on a real document", async () => {
  const doc = REAL_DOCUMENTS[0]!;
  const bytes = readRealDocument(doc.file);
  const parsed = await verifyAttestationDocument(bytes, { at: doc.timestamp });
  await verifyAttestationDocument(bytes, { at: doc.timestamp, expect: { pcrs: { 0: `0x${hex(parsed.pcrs[0]!)}`, 4: parsed.pcrs[4]! } } });
  await rejects(verifyAttestationDocument(bytes, { at: doc.timestamp, expect: { pcrs: { 0: "00".repeat(48) } } }), "pcr");
});

real("verifyAttestationDocument() rejects a real document against the simulated root (wrong root)", async () => {
  const doc = REAL_DOCUMENTS[1]!;
  await rejects(verifyAttestationDocument(readRealDocument(doc.file), { at: doc.timestamp, roots }), "root");
});

real("verifyAttestationDocument() rejects a real document whose cabundle root copy is not the AWS root", async () => {
  const doc = REAL_DOCUMENTS[0]!;
  const simulatedRoot = (split(document).payload.get("cabundle") as Uint8Array[])[0]!;
  const bytes = withPayload(readRealDocument(doc.file), (p) => ((p.get("cabundle") as Uint8Array[])[0] = simulatedRoot));
  await rejects(verifyAttestationDocument(bytes, { at: doc.timestamp }), "cabundle-root");
});

test("verifyAttestationDocument() accepts a simulated document with its root and expectations", async () => {
  const parsed = await verifyAttestationDocument(document, {
    roots,
    at: T0 + 60_000,
    expect: { pcrs: { 0: APPROVED_PCR0 }, nonce, userData, maxAgeMs: 120_000 },
  });
  assert.is(parsed.moduleId, nsm.moduleId);
  assert.is(parsed.timestamp, T0);
  assert.equal(parsed.nonce, nonce);
  assert.equal(parsed.userData, userData);
  assert.is(parsed.publicKey?.length, 120);
});

test("verifyAttestationDocument() accepts a tagged COSE_Sign1 (tag 18)", async () => {
  const tagged = new Uint8Array([0xd2, ...document]);
  await verifyAttestationDocument(tagged, { roots, at: T0 });
});

test("verifyAttestationDocument() rejects a simulated document with the default AWS root (wrong root)", async () => {
  const e = await rejects(verifyAttestationDocument(document, { at: T0 }), "root");
  assert.match(e.reason, /simulated\.nitro-enclaves/);
});

test("verifyAttestationDocument() rejects a tampered payload (cose-signature)", async () => {
  await rejects(verifyAttestationDocument(flipInside(document, nonce), { roots, at: T0 }), "cose-signature");
});

test("verifyAttestationDocument() rejects a payload re-encoded with the same content (original bytes are signed)", async () => {
  // Same fields, canonical key order instead of AWS's: the decoded value is equal, the bytes are not.
  const parts = split(document);
  const reordered = join(parts, { payloadBytes: encode(parts.payload) });
  await rejects(verifyAttestationDocument(reordered, { roots, at: T0 }), "cose-signature");
});

test("verifyAttestationDocument() rejects a tampered signature (cose-signature)", async () => {
  const tampered = document.slice();
  tampered[tampered.length - 1]! ^= 0x80;
  await rejects(verifyAttestationDocument(tampered, { roots, at: T0 }), "cose-signature");
});

test("verifyAttestationDocument() rejects an expired leaf (validity)", async () => {
  const e = await rejects(verifyAttestationDocument(document, { roots, at: T0 + 4 * 3_600_000 }), "validity");
  assert.match(e.reason, /-enc[0-9a-f]{16}/);
});

test("verifyAttestationDocument() rejects a document verified before its leaf existed (validity)", async () => {
  await rejects(verifyAttestationDocument(document, { roots, at: T0 - 3_600_000 }), "validity");
});

test("verifyAttestationDocument() rejects a wrong PCR (pcr)", async () => {
  await rejects(verifyAttestationDocument(document, { roots, at: T0, expect: { pcrs: { 0: "cd".repeat(48) } } }), "pcr");
});

test("verifyAttestationDocument() rejects a wrong or missing nonce (nonce)", async () => {
  await rejects(verifyAttestationDocument(document, { roots, at: T0, expect: { nonce: new Uint8Array(32) } }), "nonce");
  const without = await nsm.attest();
  await rejects(verifyAttestationDocument(without, { roots, at: T0, expect: { nonce } }), "nonce");
});

test("verifyAttestationDocument() rejects other user data (user-data)", async () => {
  await rejects(verifyAttestationDocument(document, { roots, at: T0, expect: { userData: new Uint8Array([1]) } }), "user-data");
});

test("verifyAttestationDocument() rejects an old document (max-age)", async () => {
  await rejects(verifyAttestationDocument(document, { roots, at: T0 + 10 * 60_000, expect: { maxAgeMs: 5 * 60_000 } }), "max-age");
});

test("verifyAttestationDocument() rejects oversized fields before any crypto (size)", async () => {
  const big = withPayload(document, (p) => p.set("user_data", new Uint8Array(1025)));
  await rejects(verifyAttestationDocument(big, { roots, at: T0 }), "size");
  const longNonce = withPayload(document, (p) => p.set("nonce", new Uint8Array(1025)));
  await rejects(verifyAttestationDocument(longNonce, { roots, at: T0 }), "size");
  const bigKey = withPayload(document, (p) => p.set("public_key", new Uint8Array(1025)));
  await rejects(verifyAttestationDocument(bigKey, { roots, at: T0 }), "size");
  const longBundle = withPayload(document, (p) => {
    const bundle = p.get("cabundle") as Uint8Array[];
    p.set("cabundle", [...bundle, ...bundle, ...bundle]);
  });
  await rejects(verifyAttestationDocument(longBundle, { roots, at: T0 }), "size");
  const bigCert = withPayload(document, (p) => p.set("certificate", new Uint8Array(1025)));
  await rejects(verifyAttestationDocument(bigCert, { roots, at: T0 }), "size");
  await rejects(verifyAttestationDocument(new Uint8Array(20_000), { roots, at: T0 }), "size");
});

test("verifyAttestationDocument() rejects truncated CBOR and trailing bytes (cbor)", async () => {
  await rejects(verifyAttestationDocument(document.subarray(0, document.length - 10), { roots, at: T0 }), "cbor");
  await rejects(verifyAttestationDocument(document.subarray(0, 3), { roots, at: T0 }), "cbor");
  await rejects(verifyAttestationDocument(new Uint8Array([...document, 0]), { roots, at: T0 }), "cbor");
  await rejects(verifyAttestationDocument(new Uint8Array(0), { roots, at: T0 }), "cbor");
});

test("verifyAttestationDocument() rejects a cabundle whose root copy differs from the pinned root (cabundle-root)", async () => {
  const other = await createSimulatedNsm({ clock: () => T0 });
  const otherRoot = (split(await other.attest()).payload.get("cabundle") as Uint8Array[])[0]!;
  const swapped = withPayload(document, (p) => ((p.get("cabundle") as Uint8Array[])[0] = otherRoot));
  await rejects(verifyAttestationDocument(swapped, { roots, at: T0 }), "cabundle-root");
});

test("verifyAttestationDocument() rejects a chain out of order (chain-signature)", async () => {
  const swapped = withPayload(document, (p) => {
    const b = p.get("cabundle") as Uint8Array[];
    p.set("cabundle", [b[0], b[1], b[3], b[2]]);
  });
  await rejects(verifyAttestationDocument(swapped, { roots, at: T0 }), "chain-signature");
  // A leaf from another PKI under this chain.
  const other = await createSimulatedNsm({ clock: () => T0 });
  const foreignLeaf = split(await other.attest()).payload.get("certificate") as Uint8Array;
  const foreign = withPayload(document, (p) => p.set("certificate", foreignLeaf));
  await rejects(verifyAttestationDocument(foreign, { roots, at: T0 }), "chain-signature");
});

test("verifyAttestationDocument() rejects a CA certificate used as the signing certificate (constraints)", async () => {
  const shortened = withPayload(document, (p) => {
    const b = p.get("cabundle") as Uint8Array[];
    p.set("certificate", b[3]);
    p.set("cabundle", b.slice(0, 3));
  });
  await rejects(verifyAttestationDocument(shortened, { roots, at: T0 }), "constraints");
});

test("verifyAttestationDocument() rejects a malformed COSE_Sign1 (cose-structure)", async () => {
  const parts = split(document);
  const payload = encode(parts.payload, { mapSorter: () => 0 });
  const cases = [
    encode([parts.protectedHeader, new Map(), payload]),
    encode([encode(new Map([[1, -7]])), new Map(), payload, parts.signature]),
    encode([parts.protectedHeader, new Map(), payload, parts.signature.subarray(0, 64)]),
    encode([parts.protectedHeader, new Map(), "text", parts.signature]),
    encode({ not: "an array" }),
  ];
  for (const bytes of cases) await rejects(verifyAttestationDocument(bytes, { roots, at: T0 }), "cose-structure");
});

test("verifyAttestationDocument() rejects wrong payload field types (payload-fields)", async () => {
  const edits: ((p: Map<string, unknown>) => void)[] = [
    (p) => p.set("digest", "SHA256"),
    (p) => p.set("module_id", ""),
    (p) => p.set("timestamp", -1),
    (p) => p.set("extra", 1),
    (p) => p.delete("certificate"),
    (p) => p.set("pcrs", new Map([[40, new Uint8Array(48)]])),
    (p) => p.set("pcrs", new Map([["0", new Uint8Array(48)]])),
    (p) => p.set("public_key", "text"),
    (p) => p.set("certificate", new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01])),
  ];
  for (const edit of edits) await rejects(verifyAttestationDocument(withPayload(document, edit), { roots, at: T0 }), "payload-fields");
});

test("verifyAttestationDocument() checks its arguments before the document", async () => {
  await throwsAsync(() => verifyAttestationDocument("nope" as unknown as Uint8Array), TypeError);
  await throwsAsync(() => verifyAttestationDocument(document, { at: Number.NaN }), RangeError);
  await throwsAsync(() => verifyAttestationDocument(document, { roots: ["not a pem"] }), TypeError);
  await throwsAsync(() => verifyAttestationDocument(document, { roots: [] }), TypeError);
  await throwsAsync(() => verifyAttestationDocument(document, { expect: { pcrs: { 40: "00".repeat(48) } } }), RangeError);
  await throwsAsync(() => verifyAttestationDocument(document, { expect: { pcrs: { 0: "zz" } } }), TypeError);
  await throwsAsync(() => verifyAttestationDocument(document, { expect: { maxAgeMs: -1 } }), RangeError);
});

// Edges and exact reasons (found by mutation testing, issue 20): each is a refusal a caller reads, or an input
// that must not be refused.
async function message(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<string> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, type, String(error));
    return error instanceof AttestationError ? error.reason : (error as Error).message;
  }
  return assert.unreachable(`expected ${type.name}`) as never;
}

test("verifyAttestationDocument() says why: empty, oversized, bad signature, PCR, nonce, user data, age", async () => {
  assert.is(await message(verifyAttestationDocument("nope" as unknown as Uint8Array), TypeError), "Cannot verify attestation document: expected a Uint8Array");
  assert.is((await rejects(verifyAttestationDocument(new Uint8Array(0), { roots, at: T0 }), "cbor")).reason, "Document is empty");
  assert.is((await rejects(verifyAttestationDocument(new Uint8Array(17_409), { roots, at: T0 }), "size")).reason, "Document is 17409 bytes, more than 17408");
  const tampered = document.slice();
  tampered[tampered.length - 1]! ^= 0x80;
  assert.is((await rejects(verifyAttestationDocument(tampered, { roots, at: T0 }), "cose-signature")).reason, "COSE_Sign1 signature does not verify with the leaf certificate");
  assert.is(
    (await rejects(verifyAttestationDocument(document, { roots, at: T0, expect: { pcrs: { 0: "cd".repeat(48) } } }), "pcr")).reason,
    `PCR0 is ${APPROVED_PCR0}, expected ${"cd".repeat(48)}`,
  );
  assert.is((await rejects(verifyAttestationDocument(document, { roots, at: T0, expect: { pcrs: { 31: "00".repeat(48) } } }), "pcr")).reason, "PCR31 is not in the document");
  assert.is((await rejects(verifyAttestationDocument(document, { roots, at: T0, expect: { nonce: new Uint8Array(32) } }), "nonce")).reason, "Document nonce does not match the expected nonce");
  assert.is((await rejects(verifyAttestationDocument(document, { roots, at: T0, expect: { userData: new Uint8Array([1]) } }), "user-data")).reason, "Document user_data does not match the expected value");
  assert.is(
    (await rejects(verifyAttestationDocument(document, { roots, at: T0 + 600_001, expect: { maxAgeMs: 600_000 } }), "max-age")).reason,
    "Document timestamp 2026-03-01T12:00:00.000Z is more than 600000 ms from 2026-03-01T12:10:00.001Z",
  );
});

test("verifyAttestationDocument() size limit: 17408 bytes are decoded, 17409 refused unread", async () => {
  // 17408 zero bytes are not CBOR: the verifier got past the size check to the decoder.
  await rejects(verifyAttestationDocument(new Uint8Array(17_408), { roots, at: T0 }), "cbor");
  await rejects(verifyAttestationDocument(new Uint8Array(17_409), { roots, at: T0 }), "size");
});

test("verifyAttestationDocument() max age is inclusive, also at 0 ms", async () => {
  await verifyAttestationDocument(document, { roots, at: T0, expect: { maxAgeMs: 0 } });
  await verifyAttestationDocument(document, { roots, at: T0 + 120_000, expect: { maxAgeMs: 120_000 } });
  await rejects(verifyAttestationDocument(document, { roots, at: T0 + 1, expect: { maxAgeMs: 0 } }), "max-age");
});

test("verifyAttestationDocument() nonce and user data must match in length too, not only in their common bytes", async () => {
  // A document whose nonce ends in zero bytes, and an expected nonce that is its first half.
  const half = new Uint8Array(16).fill(0x5a);
  const padded = await nsm.attest({ nonce: new Uint8Array([...half, ...new Uint8Array(16)]), userData: new Uint8Array([...half, 0, 0]) });
  await rejects(verifyAttestationDocument(padded, { roots, at: T0, expect: { nonce: half } }), "nonce");
  await rejects(verifyAttestationDocument(padded, { roots, at: T0, expect: { userData: half } }), "user-data");
});

test("verifyAttestationDocument() PCR expectations: index 0..31, hex with 0x, 0X or none, or bytes of 32/48/64", async () => {
  const bytes = new Uint8Array(Buffer.from(APPROVED_PCR0, "hex"));
  for (const value of [APPROVED_PCR0, `0x${APPROVED_PCR0}`, `0X${APPROVED_PCR0.toUpperCase()}`, bytes]) {
    await verifyAttestationDocument(document, { roots, at: T0, expect: { pcrs: { 0: value } } });
  }
  for (const index of ["-1", "32", "1.5", "x"]) {
    assert.is(
      await message(verifyAttestationDocument(document, { roots, at: T0, expect: { pcrs: { [index]: APPROVED_PCR0 } as Record<number, string> } }), RangeError),
      `Cannot expect PCR${index}: index must be 0..31`,
    );
  }
  assert.is(await message(verifyAttestationDocument(document, { expect: { pcrs: { 0: "abc" } } }), TypeError), "Cannot expect PCR0: not hex");
  assert.is(await message(verifyAttestationDocument(document, { expect: { pcrs: { 3: `0x${APPROVED_PCR0}0` } } }), TypeError), "Cannot expect PCR3: not hex");
  for (const value of ["ab".repeat(47), "ab".repeat(31), new Uint8Array(47), 48]) {
    assert.is(
      await message(verifyAttestationDocument(document, { expect: { pcrs: { 2: value as string } } }), TypeError),
      "Cannot expect PCR2: value must be 32, 48 or 64 bytes",
    );
  }
});

test("verifyAttestationDocument() refuses expectations and options of the wrong type, naming them", async () => {
  const cases: [VerifyOptions, new (...args: never[]) => Error, string][] = [
    [{ at: Number.NaN }, RangeError, "Cannot verify attestation document: invalid `at`"],
    [{ at: "2026-03-01" as unknown as number }, RangeError, "Cannot verify attestation document: invalid `at`"],
    [{ at: new Date(Number.NaN) }, RangeError, "Cannot verify attestation document: invalid `at`"],
    [{ expect: { nonce: [1, 2] as unknown as Uint8Array } }, TypeError, "Cannot expect nonce: expected a Uint8Array"],
    [{ expect: { userData: "hello" as unknown as Uint8Array } }, TypeError, "Cannot expect userData: expected a Uint8Array"],
    [{ expect: { maxAgeMs: -1 } }, RangeError, "Cannot expect maxAgeMs: must be ≥ 0"],
    [{ expect: { maxAgeMs: Number.NaN } }, RangeError, "Cannot expect maxAgeMs: must be ≥ 0"],
    [{ expect: { maxAgeMs: "5" as unknown as number } }, RangeError, "Cannot expect maxAgeMs: must be ≥ 0"],
    [{ roots: [] }, TypeError, "Cannot verify attestation document: `roots` must be a non-empty array"],
    [{ roots: "pem" as unknown as string[] }, TypeError, "Cannot verify attestation document: `roots` must be a non-empty array"],
    [{ roots: [42 as unknown as string] }, TypeError, "Cannot use roots[0]: expected PEM text or DER bytes"],
    [{ roots: [roots[0]!, new Uint8Array([1, 2, 3])] }, TypeError, "roots[1] is not a single DER certificate"],
  ];
  for (const [options, type, reason] of cases) {
    assert.is(await message(verifyAttestationDocument(document, options), type), reason, JSON.stringify(options));
  }
});

test("verifyAttestationDocument() takes a root as DER bytes, and does not keep or change the caller's copy", async () => {
  const der = new Uint8Array(Buffer.from(roots[0]!.replace(/-----[^-]+-----|\s/g, ""), "base64"));
  const before = der.slice();
  await verifyAttestationDocument(document, { roots: [der], at: T0 });
  assert.equal(der, before);
});

test("verifyAttestationDocument() copies the caller's root when called: changing it afterwards changes nothing", async () => {
  const der = new Uint8Array(Buffer.from(roots[0]!.replace(/-----[^-]+-----|\s/g, ""), "base64"));
  const pending = verifyAttestationDocument(document, { roots: [der], at: T0 });
  der.fill(0);
  await pending;
});

test("verifyAttestationDocument() refuses a leaf whose P-384 key is not a curve point (cose-signature, with the cause)", async () => {
  // The leaf's key cannot be imported; the chain above it is intact (its signature does not cover the leaf's own key use).
  const specs = goodSpecs(T0 - 60_000, T0 + 60_000);
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign"])) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  spki[spki.length - 1]! ^= 0x01; // the point's last byte of y: no longer on the curve
  specs[3] = { ...specs[3]!, spkiDer: spki };
  const chain = await issueChain(specs);
  const bad = await documentWithChain(document, chain, chain[2]);
  const e = await rejects(verifyAttestationDocument(bad, { roots: [chain[0]!.der], at: T0 }), "cose-signature");
  assert.is(e.reason, "Cannot verify the COSE signature with the leaf key");
  assert.instance(e.cause, Error);
});

real("the embedded AWS root is the fixture's AWS root, and its pin is the SHA-256 AWS publishes for it", async () => {
  const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
  assert.equal(der(AWS_NITRO_ROOT_G1_PEM), der(readAwsRootPem()));
  // AWS Nitro Enclaves documentation, "Verifying the root of trust": the root certificate's SHA-256 fingerprint.
  const published = "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";
  assert.is(createHash("sha256").update(der(readAwsRootPem())).digest("hex"), published);
  assert.is(AWS_NITRO_ROOT_G1_SHA256, published);
});

test.run();
