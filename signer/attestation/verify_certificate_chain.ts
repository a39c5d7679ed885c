import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { AttestationError } from "./attestation_error.ts";

/** A trust anchor: the DER the caller pinned and its parsed form. */
export type TrustedRoot = { der: Uint8Array; certificate: pkijs.Certificate };

const OID_BASIC_CONSTRAINTS = "2.5.29.19";
const OID_KEY_USAGE = "2.5.29.15";
const OID_ECDSA_WITH_SHA384 = "1.2.840.10045.4.3.3";
const OID_EC_PUBLIC_KEY = "1.2.840.10045.2.1";
const OID_SECP384R1 = "1.3.132.0.34";
/** Extensions we process (RFC 5280 §4.2: a certificate with any other critical extension must be rejected). */
const UNDERSTOOD = new Set([OID_BASIC_CONSTRAINTS, OID_KEY_USAGE]);

/** KeyUsage named bits (RFC 5280 §4.2.1.3): bit 0 is the most significant bit of the first byte. */
const KEY_USAGE_BIT = { digitalSignature: 0, keyCertSign: 5 } as const;

/**
 * Parses one DER X.509 certificate, requiring the whole input to be a single certificate.
 * Throws `TypeError` for the caller's roots and `AttestationError("payload-fields")` for document certificates.
 */
export function parseCertificate(der: Uint8Array, what: string, fromDocument = true): pkijs.Certificate {
  const fail = (reason: string) =>
    fromDocument ? new AttestationError("payload-fields", reason) : new TypeError(reason);
  const parsed = asn1js.fromBER(der);
  if (parsed.offset === -1 || parsed.offset !== der.byteLength) {
    throw fail(`${what} is not a single DER certificate`);
  }
  try {
    return new pkijs.Certificate({ schema: parsed.result });
  } catch {
    throw fail(`${what} is not an X.509 certificate`);
  }
}

/**
 * RFC 5280 §6.1 path validation, specialised to the AWS Nitro PKI profile and run in the order of DESIGN §5:
 * 1. root: a pinned root whose subject is the issuer of the first certificate below it (the root copy in
 *    `cabundle[0]` is never trusted, only compared with it byte for byte);
 * 2. chain: leaf ← cabundle[n-1] … cabundle[1] ← root, each issuer name equal to its parent's subject
 *    (§6.1.3 (a)(4)) and each signature ecdsa-with-SHA384 verified with the parent's key (§6.1.3 (a)(1));
 * 3. validity of every certificate, the root included, at `at` (§6.1.3 (a)(2));
 * 4. constraints: CA certificates carry a critical basicConstraints with cA and keyCertSign, pathLen is respected
 *    (§4.2.1.9, §6.1.4 (k)-(n)), the leaf is not a CA, has digitalSignature and a P-384 key, and no certificate has
 *    a critical extension we do not process (§6.1.4 (o)).
 * Returns the parsed leaf. Internal to `verifyAttestationDocument()`.
 */
export async function verifyCertificateChain(
  leafDer: Uint8Array,
  cabundle: readonly Uint8Array[],
  roots: readonly TrustedRoot[],
  at: number,
): Promise<pkijs.Certificate> {
  const leaf = parseCertificate(leafDer, "certificate");
  const bundle = cabundle.map((der, i) => parseCertificate(der, `cabundle[${i}]`));
  // Top-down, without the root copy: cabundle[1] … cabundle[n-1], leaf.
  const path = [...bundle.slice(1), leaf];
  const first = path[0]!;

  // 1. The pinned root (DESIGN §5: pinned by the SHA-256 of its DER, which the caller did when loading roots).
  const named = roots.filter((root) => first.issuer.isEqual(root.certificate.subject));
  if (named.length === 0) {
    throw new AttestationError("root", `No pinned root issued ${commonName(first)} (issuer ${names(first.issuer)})`);
  }
  const root = named.find((r) => equalBytes(r.der, cabundle[0]!)) ?? named[0]!;
  if (!equalBytes(root.der, cabundle[0]!)) {
    throw new AttestationError("cabundle-root", "cabundle[0] is not the pinned root certificate");
  }

  // 2. Names and signatures, top-down.
  let parent = root.certificate;
  for (const certificate of path) {
    if (!certificate.issuer.isEqual(parent.subject)) {
      throw new AttestationError("chain-signature", `${commonName(certificate)} was not issued by ${commonName(parent)}`);
    }
    if (certificate.signatureAlgorithm.algorithmId !== OID_ECDSA_WITH_SHA384) {
      throw new AttestationError("chain-signature", `${commonName(certificate)} is not signed with ecdsa-with-SHA384`);
    }
    let valid = false;
    try {
      valid = await certificate.verify(parent);
    } catch {
      valid = false;
    }
    if (!valid) throw new AttestationError("chain-signature", `Bad signature on ${commonName(certificate)}`);
    parent = certificate;
  }

  // 3. Validity at the verification time, root included (AWS attestation process §3.2.3.1).
  for (const certificate of [root.certificate, ...path]) {
    const notBefore = certificate.notBefore.value.getTime();
    const notAfter = certificate.notAfter.value.getTime();
    if (at < notBefore || at > notAfter) {
      throw new AttestationError(
        "validity",
        `${commonName(certificate)} is valid from ${iso(notBefore)} to ${iso(notAfter)}, not at ${iso(at)}`,
      );
    }
  }

  // 4. Constraints.
  const cas = [root.certificate, ...path.slice(0, -1)];
  for (const [i, certificate] of cas.entries()) {
    checkCriticalExtensions(certificate);
    const constraints = basicConstraints(certificate);
    const isRoot = i === 0;
    // A root is self-signed input, not a path member: RFC 5280 §6.1 does not require its extension to be critical.
    if (!constraints || !constraints.cA || (!isRoot && !constraints.critical)) {
      throw new AttestationError("constraints", `${commonName(certificate)} is not marked as a CA (critical basicConstraints)`);
    }
    // Number of intermediate CAs below this one in the path (§4.2.1.9: the leaf is not counted).
    const below = cas.length - 1 - i;
    if (constraints.pathLen !== undefined && below > constraints.pathLen) {
      throw new AttestationError("constraints", `${commonName(certificate)} allows ${constraints.pathLen} CAs below it, found ${below}`);
    }
    if (!hasKeyUsage(certificate, KEY_USAGE_BIT.keyCertSign)) {
      throw new AttestationError("constraints", `${commonName(certificate)} lacks keyUsage keyCertSign`);
    }
  }
  checkCriticalExtensions(leaf);
  if (basicConstraints(leaf)?.cA) throw new AttestationError("constraints", "The signing certificate must not be a CA");
  if (!hasKeyUsage(leaf, KEY_USAGE_BIT.digitalSignature)) {
    throw new AttestationError("constraints", "The signing certificate lacks keyUsage digitalSignature");
  }
  const spki = leaf.subjectPublicKeyInfo.algorithm;
  const curve = spki.algorithmParams instanceof asn1js.ObjectIdentifier ? spki.algorithmParams.valueBlock.toString() : "";
  if (spki.algorithmId !== OID_EC_PUBLIC_KEY || curve !== OID_SECP384R1) {
    throw new AttestationError("constraints", "The signing certificate key is not EC P-384 (required by ES384)");
  }
  return leaf;
}

function checkCriticalExtensions(certificate: pkijs.Certificate): void {
  for (const extension of certificate.extensions ?? []) {
    if (extension.critical && !UNDERSTOOD.has(extension.extnID)) {
      throw new AttestationError("constraints", `${commonName(certificate)} has unknown critical extension ${extension.extnID}`);
    }
  }
}

function basicConstraints(
  certificate: pkijs.Certificate,
): { cA: boolean; pathLen: number | undefined; critical: boolean } | undefined {
  const extension = certificate.extensions?.find((e) => e.extnID === OID_BASIC_CONSTRAINTS);
  if (!extension) return undefined;
  const value = extension.parsedValue;
  if (!(value instanceof pkijs.BasicConstraints)) {
    throw new AttestationError("constraints", `${commonName(certificate)} has a malformed basicConstraints`);
  }
  const raw = value.pathLenConstraint;
  // pkijs gives a number for a short INTEGER but the asn1js Integer for a longer one (0x7fffffff already), whose
  // valueDec is 0 (it read as "no CA below"): such a pathLen limits nothing a document's chain could hold, unless
  // it is negative (not a pathLen, RFC 5280 §4.2.1.9: 0..MAX), which allows no CA below (found by mutation testing).
  const pathLen = raw === undefined ? undefined : typeof raw === "number" ? raw : (raw.valueBlock.valueHexView[0]! & 0x80) !== 0 ? -1 : Number.MAX_SAFE_INTEGER;
  return { cA: value.cA === true, pathLen, critical: extension.critical };
}

function hasKeyUsage(certificate: pkijs.Certificate, bit: number): boolean {
  const extension = certificate.extensions?.find((e) => e.extnID === OID_KEY_USAGE);
  const value = extension?.parsedValue;
  if (!(value instanceof asn1js.BitString)) return false;
  const bits = value.valueBlock.valueHexView;
  const byte = bits[bit >> 3] ?? 0;
  return (byte & (0x80 >> (bit & 7))) !== 0;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function names(rdn: pkijs.RelativeDistinguishedNames): string {
  return rdn.typesAndValues.map((t) => `${t.type}=${String(t.value.valueBlock.value)}`).join(", ");
}

function commonName(certificate: pkijs.Certificate): string {
  const cn = certificate.subject.typesAndValues.find((t) => t.type === "2.5.4.3");
  return cn ? `"${String(cn.value.valueBlock.value)}"` : `certificate (${names(certificate.subject)})`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
