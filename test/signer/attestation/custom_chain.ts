// Test helper: certificate chains with chosen defects (a non-critical basicConstraints, a pathLen exceeded, a
// missing keyUsage bit, an unknown critical extension, a P-256 leaf, SHA-256 signatures, …) and attestation
// documents signed by their leaf, so verifyAttestationDocument()'s chain checks can be shown to refuse each one.
// The documents are real COSE_Sign1 ES384 signatures over a simulated NSM's payload with the chain swapped in.
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";
import { encode } from "cborg";
import { keyUsage } from "../../../signer/nsm/simulated/simulated_certificates.ts";
import { join, split } from "./document_tools.ts";

export type ExtensionSpec = { oid: string; critical: boolean; value: Uint8Array };

export type CertificateSpec = {
  /** Subject CN; the subject is `O=Test, CN=<cn>` (or only `O=Test` when `cn` is null). */
  cn: string | null;
  /** basicConstraints: `undefined` leaves it out. */
  basicConstraints?: { cA: boolean; pathLen?: number; critical?: boolean; raw?: Uint8Array } | undefined;
  /** KeyUsage named bits (0 = digitalSignature, 5 = keyCertSign, 6 = cRLSign); `undefined` leaves it out. */
  keyUsage?: number[] | undefined;
  keyUsageCritical?: boolean;
  extensions?: ExtensionSpec[];
  notBefore: number;
  notAfter: number;
  /** The hash of the issuer's signature. @default "SHA-384" */
  hash?: "SHA-256" | "SHA-384";
  /** The key's curve. @default "P-384" */
  curve?: "P-256" | "P-384";
  /** Issuer name override (a different CN than the parent's subject). */
  issuerCn?: string;
  /** Replace the certificate's public key info with this DER (the key pair still signs). */
  spkiDer?: Uint8Array;
};

export type IssuedCertificate = { der: Uint8Array; privateKey: CryptoKey; certificate: pkijs.Certificate };

function name(cn: string | null): pkijs.RelativeDistinguishedNames {
  const attributes: [string, string][] = [["2.5.4.10", "Test"]];
  if (cn !== null) attributes.push(["2.5.4.3", cn]);
  const rdns = attributes.map(([type, value]) =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema()] })
  );
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false)).result });
}

let serial = 1;
const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer as ArrayBuffer;

/** Issues one certificate; `issuer` absent makes it self-signed. */
export async function issue(spec: CertificateSpec, issuer?: IssuedCertificate): Promise<IssuedCertificate> {
  const keys = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: spec.curve ?? "P-384" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ value: serial++ });
  certificate.subject = name(spec.cn);
  certificate.issuer = spec.issuerCn !== undefined ? name(spec.issuerCn) : issuer ? issuer.certificate.subject : name(spec.cn);
  certificate.notBefore = new pkijs.Time({ type: 0, value: new Date(spec.notBefore) });
  certificate.notAfter = new pkijs.Time({ type: 0, value: new Date(spec.notAfter) });
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey);
  if (spec.spkiDer) certificate.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({ schema: asn1js.fromBER(spec.spkiDer).result });
  const extensions: pkijs.Extension[] = [];
  const bc = spec.basicConstraints;
  if (bc) {
    const value = new pkijs.BasicConstraints(bc.pathLen === undefined ? { cA: bc.cA } : { cA: bc.cA, pathLenConstraint: bc.pathLen });
    extensions.push(
      bc.raw
        ? new pkijs.Extension({ extnID: "2.5.29.19", critical: bc.critical ?? true, extnValue: buffer(bc.raw) })
        : new pkijs.Extension({ extnID: "2.5.29.19", critical: bc.critical ?? true, extnValue: value.toSchema().toBER(false), parsedValue: value }),
    );
  }
  if (spec.keyUsage) extensions.push(keyUsage(spec.keyUsage, spec.keyUsageCritical ?? true));
  for (const e of spec.extensions ?? []) extensions.push(new pkijs.Extension({ extnID: e.oid, critical: e.critical, extnValue: buffer(e.value) }));
  if (extensions.length > 0) certificate.extensions = extensions;
  await certificate.sign(issuer?.privateKey ?? keys.privateKey, spec.hash ?? "SHA-384");
  const der = new Uint8Array(certificate.toSchema(true).toBER(false));
  return { der, privateKey: keys.privateKey, certificate: pkijs.Certificate.fromBER(der) };
}

/** Specs of a well-formed chain in the AWS profile (root, 2 intermediates, leaf), valid from `from` to `to`. */
export function goodSpecs(from: number, to: number): CertificateSpec[] {
  return [
    { cn: "Test Root", basicConstraints: { cA: true }, keyUsage: [0, 5, 6], notBefore: from, notAfter: to },
    { cn: "Test Regional", basicConstraints: { cA: true, pathLen: 1 }, keyUsage: [0, 5, 6], notBefore: from, notAfter: to },
    { cn: "Test Instance", basicConstraints: { cA: true, pathLen: 0 }, keyUsage: [5], notBefore: from, notAfter: to },
    { cn: "Test Leaf", basicConstraints: { cA: false }, keyUsage: [0, 1], keyUsageCritical: false, notBefore: from, notAfter: to },
  ];
}

/** Issues `specs` top-down (specs[0] the self-signed root, the last the leaf). */
export async function issueChain(specs: CertificateSpec[]): Promise<IssuedCertificate[]> {
  const chain: IssuedCertificate[] = [];
  for (const spec of specs) chain.push(await issue(spec, chain.at(-1)));
  return chain;
}

/**
 * A copy of `template` (a simulated NSM's document) whose payload carries `chain` (certificate = last,
 * cabundle = the others, root first) and is signed ES384 by the leaf's key.
 */
export async function documentWithChain(template: Uint8Array, chain: IssuedCertificate[], signer = chain.at(-1)!): Promise<Uint8Array> {
  const parts = split(template);
  parts.payload.set("certificate", chain.at(-1)!.der);
  parts.payload.set("cabundle", chain.slice(0, -1).map((c) => c.der));
  const payload = encode(parts.payload, { mapSorter: () => 0 });
  const toBeSigned = encode(["Signature1", parts.protectedHeader, new Uint8Array(0), payload]);
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-384" }, signer.privateKey, toBeSigned));
  return join({ ...parts, signature }, { payloadBytes: payload });
}
