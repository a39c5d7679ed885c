import { encode } from "cborg";
import { bytesToHex, hexToBytes } from "viem";
import { AttestationError } from "./attestation_error.ts";
import { AWS_NITRO_ROOT_G1_PEM, AWS_NITRO_ROOT_G1_SHA256 } from "./aws_nitro_root_g1.ts";
import { decodeAttestationPayload, type AttestationPayload } from "./decode_attestation_payload.ts";
import { decodeCoseSign1 } from "./decode_cose_sign1.ts";
import { pemToDer } from "./pem.ts";
import { parseCertificate, type TrustedRoot, verifyCertificateChain } from "./verify_certificate_chain.ts";

export { AttestationError, type AttestationCheck } from "./attestation_error.ts";

/** Options of `verifyAttestationDocument()`. */
export type VerifyAttestationDocumentOptions = {
  /**
   * Trusted roots, PEM text or DER. Each is pinned by the SHA-256 of its DER.
   * @default [the AWS Nitro Enclaves root G1], checked against SHA-256 641a0321…bb5b
   */
  roots?: readonly (string | Uint8Array)[];
  /** Verification time for certificate validity and `maxAgeMs`. @default now */
  at?: Date | number;
  /** What the caller requires of the document, checked after every cryptographic check passed. */
  expect?: {
    /** PCR index → value (hex, with or without 0x, or bytes); each must be present and equal. */
    pcrs?: Record<number, string | Uint8Array>;
    nonce?: Uint8Array;
    userData?: Uint8Array;
    /** Maximum |at − timestamp| in ms. */
    maxAgeMs?: number;
  };
};

/**
 * A verified Nitro attestation document (AWS "Nitro Enclaves Attestation Process" §2.2): the decoded payload,
 * timestamp in ms since the epoch, `certificate` the leaf's DER, `cabundle` `[root, …, issuer of leaf]` as sent.
 */
export type AttestationDocument = AttestationPayload;

export type VerifyAttestationDocumentReturnType = AttestationDocument;
export type VerifyAttestationDocumentErrorType = AttestationError | TypeError | RangeError;

/** Largest document accepted: a 16 KiB payload (AWS §3.1 bounds it to 16384) plus headers and signature. */
export const MAX_ATTESTATION_DOCUMENT_BYTES = 16384 + 1024;

/**
 * Verifies a Nitro Enclaves attestation document (an untagged COSE_Sign1, RFC 8152 §4.2, signed ES384) and
 * returns its payload. Order (DESIGN §5): size bounds, CBOR/COSE structure, payload fields, pinned root, chain
 * leaf ← cabundle[n-1] … cabundle[1] ← root with every signature (RFC 5280 §6.1), validity at `at`,
 * basicConstraints/pathLen/keyUsage, the COSE signature over Sig_structure `["Signature1", protected, h'',
 * payload]` (RFC 8152 §4.4) with the payload bytes exactly as received, then `expect`.
 *
 * Throws `AttestationError` (code ATTESTATION_FAILED, `check` naming the failed step) for a bad document and
 * `TypeError`/`RangeError` for bad arguments. Runtime-neutral: WebCrypto from `globalThis.crypto`.
 *
 * @example
 * ```ts
 * const doc = await verifyAttestationDocument(bytes, {
 *   expect: { pcrs: { 0: approvedPcr0Hex }, nonce, maxAgeMs: 5 * 60_000 },
 * });
 * console.log(doc.moduleId, doc.publicKey);
 * ```
 */
export async function verifyAttestationDocument(
  document: Uint8Array,
  options: VerifyAttestationDocumentOptions = {},
): Promise<AttestationDocument> {
  // Arguments first (STYLE §7).
  if (!(document instanceof Uint8Array)) throw new TypeError("Cannot verify attestation document: expected a Uint8Array");
  const at = verificationTime(options.at);
  const expect = expectations(options.expect);
  const roots = await trustedRoots(options.roots);

  // Bounds before any work.
  if (document.byteLength === 0) throw new AttestationError("cbor", "Document is empty");
  if (document.byteLength > MAX_ATTESTATION_DOCUMENT_BYTES) {
    throw new AttestationError("size", `Document is ${document.byteLength} bytes, more than ${MAX_ATTESTATION_DOCUMENT_BYTES}`);
  }

  const sign1 = decodeCoseSign1(document);
  const payload = decodeAttestationPayload(sign1.payload);
  const leaf = await verifyCertificateChain(payload.certificate, payload.cabundle, roots, at);

  // RFC 8152 §4.4: Sig_structure = ["Signature1", body_protected, external_aad = h'', payload], encoded
  // deterministically; body_protected and payload are the bstr contents exactly as received.
  const toBeSigned = encode(["Signature1", sign1.protectedHeader, new Uint8Array(0), sign1.payload]);
  let valid = false;
  try {
    const key = await crypto.subtle.importKey(
      "spki",
      leaf.subjectPublicKeyInfo.toSchema().toBER(false),
      { name: "ECDSA", namedCurve: "P-384" },
      false,
      ["verify"],
    );
    // WebCrypto ECDSA signatures are raw r‖s, the COSE format (RFC 8152 §8.1).
    valid = await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-384" }, key, new Uint8Array(sign1.signature), new Uint8Array(toBeSigned));
  } catch (cause) {
    throw new AttestationError("cose-signature", "Cannot verify the COSE signature with the leaf key", { cause });
  }
  if (!valid) throw new AttestationError("cose-signature", "COSE_Sign1 signature does not verify with the leaf certificate");

  // The caller's expectations.
  for (const [index, value] of expect.pcrs) {
    const actual = payload.pcrs[index];
    if (!actual) throw new AttestationError("pcr", `PCR${index} is not in the document`);
    if (!equalBytes(actual, value)) {
      throw new AttestationError("pcr", `PCR${index} is ${bytesToHex(actual).slice(2)}, expected ${bytesToHex(value).slice(2)}`);
    }
  }
  if (expect.nonce && !(payload.nonce && equalBytes(payload.nonce, expect.nonce))) {
    throw new AttestationError("nonce", "Document nonce does not match the expected nonce");
  }
  if (expect.userData && !(payload.userData && equalBytes(payload.userData, expect.userData))) {
    throw new AttestationError("user-data", "Document user_data does not match the expected value");
  }
  if (expect.maxAgeMs !== undefined && Math.abs(at - payload.timestamp) > expect.maxAgeMs) {
    throw new AttestationError(
      "max-age",
      `Document timestamp ${new Date(payload.timestamp).toISOString()} is more than ${expect.maxAgeMs} ms from ${new Date(at).toISOString()}`,
    );
  }
  return payload;
}

function verificationTime(at: Date | number | undefined): number {
  if (at === undefined) return Date.now();
  const ms = at instanceof Date ? at.getTime() : at;
  if (typeof ms !== "number" || !Number.isFinite(ms)) throw new RangeError("Cannot verify attestation document: invalid `at`");
  return ms;
}

type Expectations = { pcrs: Map<number, Uint8Array>; nonce?: Uint8Array; userData?: Uint8Array; maxAgeMs?: number };

function expectations(expect: VerifyAttestationDocumentOptions["expect"]): Expectations {
  const result: Expectations = { pcrs: new Map() };
  if (expect === undefined) return result;
  for (const [key, value] of Object.entries(expect.pcrs ?? {})) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index > 31) throw new RangeError(`Cannot expect PCR${key}: index must be 0..31`);
    const bytes = typeof value === "string" ? hexValue(value, `PCR${index}`) : value;
    if (!(bytes instanceof Uint8Array) || ![32, 48, 64].includes(bytes.byteLength)) {
      throw new TypeError(`Cannot expect PCR${index}: value must be 32, 48 or 64 bytes`);
    }
    result.pcrs.set(index, bytes);
  }
  if (expect.nonce !== undefined) {
    if (!(expect.nonce instanceof Uint8Array)) throw new TypeError("Cannot expect nonce: expected a Uint8Array");
    result.nonce = expect.nonce;
  }
  if (expect.userData !== undefined) {
    if (!(expect.userData instanceof Uint8Array)) throw new TypeError("Cannot expect userData: expected a Uint8Array");
    result.userData = expect.userData;
  }
  if (expect.maxAgeMs !== undefined) {
    if (typeof expect.maxAgeMs !== "number" || !(expect.maxAgeMs >= 0)) throw new RangeError("Cannot expect maxAgeMs: must be ≥ 0");
    result.maxAgeMs = expect.maxAgeMs;
  }
  return result;
}

function hexValue(text: string, what: string): Uint8Array {
  const hex = text.startsWith("0x") || text.startsWith("0X") ? text.slice(2) : text;
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) throw new TypeError(`Cannot expect ${what}: not hex`);
  return hexToBytes(`0x${hex}`);
}

let defaultRoots: Promise<TrustedRoot[]> | undefined;

async function trustedRoots(roots: VerifyAttestationDocumentOptions["roots"]): Promise<TrustedRoot[]> {
  if (roots === undefined) {
    defaultRoots ??= (async () => {
      const der = pemToDer(AWS_NITRO_ROOT_G1_PEM, "CERTIFICATE");
      const digest = bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(der))), { size: 32 }).slice(2);
      // DESIGN §5: the default trust anchor is pinned by the SHA-256 of its DER.
      if (digest !== AWS_NITRO_ROOT_G1_SHA256) throw new Error("Embedded AWS Nitro root does not match its pin");
      return [{ der, certificate: parseCertificate(der, "AWS Nitro root", false) }];
    })();
    return defaultRoots;
  }
  if (!Array.isArray(roots) || roots.length === 0) throw new TypeError("Cannot verify attestation document: `roots` must be a non-empty array");
  return roots.map((root, i) => {
    const der = typeof root === "string" ? pemToDer(root, "CERTIFICATE") : root;
    if (!(der instanceof Uint8Array)) throw new TypeError(`Cannot use roots[${i}]: expected PEM text or DER bytes`);
    return { der: der.slice(), certificate: parseCertificate(der, `roots[${i}]`, false) };
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
