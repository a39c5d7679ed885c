// The certificate chain checks of verifyAttestationDocument() (verify_certificate_chain.ts), one defect at a time:
// chains built here with pkijs (custom_chain.ts) differ from a good AWS-profile chain in exactly one property,
// and each must be refused with its check and reason — or accepted, at the edges RFC 5280 allows (issue 20:
// mutants that survived).
import { test } from "uvu";
import * as assert from "uvu/assert";
import * as pkijs from "pkijs";
import {
  AttestationError,
  type AttestationCheck,
  verifyAttestationDocument,
} from "../../../signer/attestation/verify_attestation_document.ts";
import { createSimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";
import { type CertificateSpec, documentWithChain, goodSpecs, issue, issueChain, type IssuedCertificate } from "./custom_chain.ts";
import { split, withPayload } from "./document_tools.ts";
import { HAVE_NITRO_FIXTURES, readAwsRootPem, readRealDocument, REAL_DOCUMENTS } from "./fixtures.ts";

const real = HAVE_NITRO_FIXTURES ? test : test.skip;
const T0 = Date.parse("2026-03-01T12:00:00Z");
const FROM = T0 - 3_600_000;
const TO = T0 + 3_600_000;
let template: Uint8Array;

test.before(async () => {
  const nsm = await createSimulatedNsm({ clock: () => T0 });
  template = await nsm.attest({ nonce: new Uint8Array(8) });
});

async function refusal(promise: Promise<unknown>): Promise<AttestationError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, AttestationError, String(error));
    return error as AttestationError;
  }
  return assert.unreachable("expected an AttestationError") as never;
}

/** Verifies a document carrying `chain` against its own root (or `roots`) at `at`. */
async function verify(chain: IssuedCertificate[], options: { at?: number; roots?: (string | Uint8Array)[]; signer?: IssuedCertificate | undefined } = {}) {
  const document = await documentWithChain(template, chain, options.signer);
  return verifyAttestationDocument(document, { roots: options.roots ?? [chain[0]!.der], at: options.at ?? T0 });
}

async function refused(chain: IssuedCertificate[], check: AttestationCheck, reason: string | RegExp, options: Parameters<typeof verify>[1] = {}) {
  const e = await refusal(verify(chain, options));
  assert.is(e.check, check, `expected ${check}, got ${e.check}: ${e.reason}`);
  if (typeof reason === "string") assert.is(e.reason, reason);
  else assert.match(e.reason, reason);
}

/** A good chain with `edit` applied to the spec at `index` (0 root … 3 leaf). */
function specsWith(index: number, edit: Partial<CertificateSpec>): CertificateSpec[] {
  const specs = goodSpecs(FROM, TO);
  specs[index] = { ...specs[index]!, ...edit };
  return specs;
}

test("the custom good chain is accepted (the baseline every case below changes in one property)", async () => {
  const chain = await issueChain(goodSpecs(FROM, TO));
  const parsed = await verify(chain);
  assert.equal(parsed.certificate, chain[3]!.der);
});

test("validity is inclusive at both ends, for the root too, and names the certificate and the times", async () => {
  const chain = await issueChain(goodSpecs(FROM, TO));
  await verify(chain, { at: FROM });
  await verify(chain, { at: TO });
  await refused(chain, "validity", `"Test Root" is valid from ${new Date(FROM).toISOString()} to ${new Date(TO).toISOString()}, not at ${new Date(TO + 1000).toISOString()}`, { at: TO + 1000 });
  await refused(chain, "validity", /^"Test Root" is valid from .* not at /, { at: FROM - 1000 });
  // Only the leaf out of its window.
  const leafLate = await issueChain(specsWith(3, { notBefore: T0 + 1000 }));
  await refused(leafLate, "validity", `"Test Leaf" is valid from ${new Date(T0 + 1000).toISOString()} to ${new Date(TO).toISOString()}, not at ${new Date(T0).toISOString()}`);
  // Only the root expired: the root's own validity is checked (AWS attestation process §3.2.3.1).
  const rootExpired = await issueChain(specsWith(0, { notAfter: T0 - 1000 }));
  await refused(rootExpired, "validity", /^"Test Root" is valid from/);
});

test("root: no pinned root named as issuer is refused with the issuer's names; the matching one of two same-named roots is used", async () => {
  const chain = await issueChain(goodSpecs(FROM, TO));
  const other = await issueChain(goodSpecs(FROM, TO)); // same names, other keys
  const stranger = await issue({ cn: "Stranger", basicConstraints: { cA: true }, keyUsage: [5], notBefore: FROM, notAfter: TO });
  await refused(chain, "root", 'No pinned root issued "Test Regional" (issuer 2.5.4.10=Test, 2.5.4.3=Test Root)', { roots: [stranger.der] });
  // Two pinned roots with the same subject: the one whose DER is cabundle[0] is used, wherever it is in the list.
  await verify(chain, { roots: [other[0]!.der, chain[0]!.der] });
  await verify(chain, { roots: [chain[0]!.der, other[0]!.der] });
  await refused(chain, "cabundle-root", "cabundle[0] is not the pinned root certificate", { roots: [other[0]!.der] });
});

test("a certificate without CN is named by its whole subject", async () => {
  const chain = await issueChain(specsWith(1, { cn: null }));
  const stranger = await issue({ cn: "Stranger", basicConstraints: { cA: true }, keyUsage: [5], notBefore: FROM, notAfter: TO });
  await refused(chain, "root", "No pinned root issued certificate (2.5.4.10=Test) (issuer 2.5.4.10=Test, 2.5.4.3=Test Root)", { roots: [stranger.der] });
});

test("chain-signature: a wrong issuer name, a SHA-256 signature, a bad signature, a parent key that cannot verify", async () => {
  const misnamed = await issueChain(specsWith(2, { issuerCn: "Someone Else" }));
  await refused(misnamed, "chain-signature", '"Test Instance" was not issued by "Test Regional"');
  const sha256 = await issueChain(specsWith(2, { hash: "SHA-256" }));
  await refused(sha256, "chain-signature", '"Test Instance" is not signed with ecdsa-with-SHA384');
  // The instance certificate signed by a key that is not its issuer's (same names).
  const a = await issueChain(goodSpecs(FROM, TO));
  const b = await issueChain(goodSpecs(FROM, TO));
  const forged = [a[0]!, a[1]!, b[2]!, b[3]!];
  await refused(forged, "chain-signature", 'Bad signature on "Test Instance"');
  // A root whose key WebCrypto cannot import (secp256k1): verifying the first certificate under it throws, which
  // is a bad signature, not an accepted one.
  const k1Spki = new Uint8Array(Buffer.from(
    "3056301006072a8648ce3d020106052b8104000a034200" +
      "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
    "hex",
  ));
  const k1 = await issueChain(specsWith(0, { spkiDer: k1Spki }));
  await refused(k1, "chain-signature", 'Bad signature on "Test Regional"');
});

test("constraints: every CA needs basicConstraints with cA, critical below the root; a root's may be non-critical", async () => {
  await verify(await issueChain(specsWith(0, { basicConstraints: { cA: true, critical: false } })));
  await refused(await issueChain(specsWith(0, { basicConstraints: undefined })), "constraints", '"Test Root" is not marked as a CA (critical basicConstraints)');
  await refused(await issueChain(specsWith(0, { basicConstraints: { cA: false } })), "constraints", '"Test Root" is not marked as a CA (critical basicConstraints)');
  await refused(
    await issueChain(specsWith(1, { basicConstraints: { cA: true, pathLen: 1, critical: false } })),
    "constraints",
    '"Test Regional" is not marked as a CA (critical basicConstraints)',
  );
  await refused(await issueChain(specsWith(2, { basicConstraints: { cA: false } })), "constraints", '"Test Instance" is not marked as a CA (critical basicConstraints)');
  // A basicConstraints whose value is not DER at all.
  await refused(
    await issueChain(specsWith(2, { basicConstraints: { cA: true, critical: true, raw: new Uint8Array([0xff, 0x01]) } })),
    "constraints",
    '"Test Instance" has a malformed basicConstraints',
  );
});

test("constraints: pathLen counts the CAs below (equal is allowed, one more is not); no pathLen is no limit", async () => {
  // Root, regional (pathLen 1), instance (pathLen 0), leaf: exactly at the limits — the good chain.
  await verify(await issueChain(goodSpecs(FROM, TO)));
  await verify(await issueChain(specsWith(1, { basicConstraints: { cA: true } })));
  await refused(await issueChain(specsWith(1, { basicConstraints: { cA: true, pathLen: 0 } })), "constraints", '"Test Regional" allows 0 CAs below it, found 1');
  await refused(await issueChain(specsWith(0, { basicConstraints: { cA: true, pathLen: 1 } })), "constraints", '"Test Root" allows 1 CAs below it, found 2');
  await verify(await issueChain(specsWith(0, { basicConstraints: { cA: true, pathLen: 2 } })));
});

test("constraints: a CA needs keyUsage keyCertSign (cRLSign or digitalSignature alone is not it)", async () => {
  await refused(await issueChain(specsWith(2, { keyUsage: [6] })), "constraints", '"Test Instance" lacks keyUsage keyCertSign');
  await refused(await issueChain(specsWith(2, { keyUsage: [0] })), "constraints", '"Test Instance" lacks keyUsage keyCertSign');
  await refused(await issueChain(specsWith(1, { keyUsage: undefined })), "constraints", '"Test Regional" lacks keyUsage keyCertSign');
  await refused(await issueChain(specsWith(0, { keyUsage: [0, 6] })), "constraints", '"Test Root" lacks keyUsage keyCertSign');
  // keyCertSign alone is enough (as on AWS's instance certificates).
  await verify(await issueChain(specsWith(1, { keyUsage: [5] })));
});

test("constraints: an unknown critical extension is refused on a CA and on the leaf; known critical or unknown non-critical ones are fine", async () => {
  const unknown = { oid: "1.2.3.4", critical: true, value: new Uint8Array([0x05, 0x00]) };
  await refused(await issueChain(specsWith(1, { extensions: [unknown] })), "constraints", '"Test Regional" has unknown critical extension 1.2.3.4');
  await refused(await issueChain(specsWith(0, { extensions: [unknown] })), "constraints", '"Test Root" has unknown critical extension 1.2.3.4');
  await refused(await issueChain(specsWith(3, { extensions: [unknown] })), "constraints", '"Test Leaf" has unknown critical extension 1.2.3.4');
  await verify(await issueChain(specsWith(1, { extensions: [{ ...unknown, critical: false }] })));
  await verify(await issueChain(specsWith(3, { keyUsageCritical: true })));
});

test("constraints: the leaf is not a CA, has digitalSignature, and a P-384 key", async () => {
  await refused(await issueChain(specsWith(3, { basicConstraints: { cA: true } })), "constraints", "The signing certificate must not be a CA");
  // No basicConstraints at all on the leaf is fine (it is not a CA).
  await verify(await issueChain(specsWith(3, { basicConstraints: undefined })));
  await refused(await issueChain(specsWith(3, { keyUsage: [1] })), "constraints", "The signing certificate lacks keyUsage digitalSignature");
  await refused(await issueChain(specsWith(3, { keyUsage: undefined })), "constraints", "The signing certificate lacks keyUsage digitalSignature");
  // A P-256 leaf: the document is signed (96 bytes) by another P-384 key, the chain check refuses the leaf first.
  const p256 = await issueChain(specsWith(3, { curve: "P-256" }));
  await refused(p256, "constraints", "The signing certificate key is not EC P-384 (required by ES384)", { signer: p256[2] });
});

test("document certificates that are not one DER certificate are payload-fields refusals naming the field", async () => {
  const chain = await issueChain(goodSpecs(FROM, TO));
  const document = await documentWithChain(template, chain);
  const trailing = withPayload(document, (p) => p.set("certificate", new Uint8Array([...chain[3]!.der, 0])));
  let e = await refusal(verifyAttestationDocument(trailing, { roots: [chain[0]!.der], at: T0 }));
  assert.is(e.check, "payload-fields");
  assert.is(e.reason, "certificate is not a single DER certificate");
  const notCertificate = withPayload(document, (p) => (p.get("cabundle") as Uint8Array[])[1] = new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]));
  e = await refusal(verifyAttestationDocument(notCertificate, { roots: [chain[0]!.der], at: T0 }));
  assert.is(e.check, "payload-fields");
  assert.is(e.reason, "cabundle[1] is not an X.509 certificate");
  const garbage = withPayload(document, (p) => (p.get("cabundle") as Uint8Array[])[2] = new Uint8Array([0xff, 0xff]));
  e = await refusal(verifyAttestationDocument(garbage, { roots: [chain[0]!.der], at: T0 }));
  assert.is(e.reason, "cabundle[2] is not a single DER certificate");
});

test("a pinned root that is not a certificate is the caller's TypeError, naming it", async () => {
  const chain = await issueChain(goodSpecs(FROM, TO));
  const document = await documentWithChain(template, chain);
  for (const [root, reason] of [
    [new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), "roots[0] is not an X.509 certificate"],
    [new Uint8Array([...chain[0]!.der, 0]), "roots[0] is not a single DER certificate"],
  ] as const) {
    try {
      await verifyAttestationDocument(document, { roots: [root], at: T0 });
      assert.unreachable("expected a TypeError");
    } catch (error) {
      assert.instance(error, TypeError);
      assert.not.instance(error, AttestationError);
      assert.is((error as Error).message, reason);
    }
  }
});

real("a real AWS chain is refused when its leaf is swapped for another real leaf (chain-signature), and accepted as is", async () => {
  const [a, b] = REAL_DOCUMENTS;
  const bytes = readRealDocument(a!.file);
  await verifyAttestationDocument(bytes, { at: a!.timestamp, roots: [readAwsRootPem()] });
  const otherLeaf = split(readRealDocument(b!.file)).payload.get("certificate") as Uint8Array;
  const swapped = withPayload(bytes, (p) => p.set("certificate", otherLeaf));
  const e = await refusal(verifyAttestationDocument(swapped, { at: a!.timestamp }));
  assert.is(e.check, "chain-signature");
  assert.match(e.reason, /was not issued by|Bad signature on/);
});

test("the root copy in cabundle[0] must be the pinned root byte for byte, also at the same length", async () => {
  const chain = await issueChain(goodSpecs(FROM, TO));
  // One bit flipped inside the root's signature: same length, same names, still parses.
  const copy = chain[0]!.der.slice();
  copy[copy.length - 2]! ^= 0x01;
  const tampered = [{ ...chain[0]!, der: copy }, ...chain.slice(1)];
  await refused(tampered, "cabundle-root", "cabundle[0] is not the pinned root certificate", { roots: [chain[0]!.der] });
});

test("certificates without any extension: a root is not a CA, a leaf lacks digitalSignature (refusals, not TypeErrors)", async () => {
  await refused(await issueChain(specsWith(0, { basicConstraints: undefined, keyUsage: undefined })), "constraints", '"Test Root" is not marked as a CA (critical basicConstraints)');
  await refused(await issueChain(specsWith(3, { basicConstraints: undefined, keyUsage: undefined })), "constraints", "The signing certificate lacks keyUsage digitalSignature");
});

test("constraints: a leaf key on P-384 but not id-ecPublicKey (id-ecDH) is refused as not EC P-384", async () => {
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-384" }, true, ["sign"])) as CryptoKeyPair;
  const spki = pkijs.PublicKeyInfo.fromBER(new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)));
  spki.algorithm.algorithmId = "1.3.132.1.12"; // id-ecDH, parameters still secp384r1
  const chain = await issueChain(specsWith(3, { spkiDer: new Uint8Array(spki.toSchema().toBER(false)) }));
  await refused(chain, "constraints", "The signing certificate key is not EC P-384 (required by ES384)", { signer: chain[2] });
  // An Ed25519 leaf key: an algorithm without a curve parameter.
  const ed = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const edChain = await issueChain(specsWith(3, { spkiDer: new Uint8Array(await crypto.subtle.exportKey("spki", ed.publicKey)) }));
  await refused(edChain, "constraints", "The signing certificate key is not EC P-384 (required by ES384)", { signer: edChain[2] });
});

test("constraints: a pathLen too long for a number limits nothing; a negative one allows no CA below", async () => {
  const raw = (integer: number[]) => new Uint8Array([0x30, 3 + 2 + integer.length, 0x01, 0x01, 0xff, 0x02, integer.length, ...integer]);
  for (const integer of [[0x01, 0x00, 0x00], [0x7f, 0xff, 0xff, 0xff], [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]]) {
    await verify(await issueChain(specsWith(1, { basicConstraints: { cA: true, raw: raw(integer) } })));
  }
  for (const integer of [[0xff], [0x80, 0x00, 0x00, 0x00]]) {
    await refused(await issueChain(specsWith(2, { basicConstraints: { cA: true, raw: raw(integer) } })), "constraints", '"Test Instance" allows -1 CAs below it, found 0');
  }
});

test.run();
