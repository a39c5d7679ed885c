// PEM armour (RFC 7468 §2): base64 of the DER between "-----BEGIN <label>-----" and "-----END <label>-----".
// Runtime-neutral. Internal helper for attestation and the simulated PKI.
import { base64ToBytes, bytesToBase64 } from "../../common/mod.ts";

/**
 * Decodes the first PEM block with `label` (e.g. "CERTIFICATE", "PRIVATE KEY") to DER.
 * Throws `TypeError` when there is none or its base64 is malformed.
 *
 * @example
 * ```ts
 * const der = pemToDer(pemText, "CERTIFICATE");
 * ```
 */
export function pemToDer(pem: string, label: string): Uint8Array {
  if (typeof pem !== "string") throw new TypeError("Cannot parse PEM: expected a string");
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = pem.indexOf(begin);
  const stop = start < 0 ? -1 : pem.indexOf(end, start + begin.length);
  if (start < 0 || stop < 0) throw new TypeError(`Cannot parse PEM: no ${label} block`);
  const body = pem.slice(start + begin.length, stop).replace(/\s+/g, "");
  if (body.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new TypeError(`Cannot parse PEM: malformed base64 in ${label} block`);
  }
  const der = base64ToBytes(body);
  if (!der) throw new TypeError(`Cannot parse PEM: malformed base64 in ${label} block`);
  return der;
}

/**
 * Encodes DER as a PEM block with 64-character lines (RFC 7468 §2).
 *
 * @example
 * ```ts
 * const pem = derToPem(certificateDer, "CERTIFICATE");
 * ```
 */
export function derToPem(der: Uint8Array, label: string): string {
  const lines = bytesToBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
