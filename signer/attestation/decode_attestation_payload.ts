import { decode } from "cborg";
import { AttestationError } from "./attestation_error.ts";

/** The payload fields of a Nitro attestation document, validated for type and size. */
export type AttestationPayload = {
  moduleId: string;
  digest: "SHA384";
  timestamp: number;
  pcrs: Record<number, Uint8Array>;
  certificate: Uint8Array;
  cabundle: Uint8Array[];
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
  nonce: Uint8Array | null;
};

/**
 * Size bounds, from the AWS attestation document specification (aws-nitro-enclaves-nsm-api
 * docs/attestation_process.md §2.2 and the Nitro Enclaves User Guide, "Verifying the root of trust"):
 * certificates 1..1024 bytes, public_key 1..1024, user_data and nonce 0..1024, pcrs 1..32 entries with index
 * 0..31 and 32/48/64-byte values. (§3.2.2.2 of the same document says 512 for user_data and nonce; the two
 * disagree, aws-nitro-enclaves-nsm-api issue #52, and real NSMs do not enforce either, so we take the CDDL's
 * 1024.) The module id and cabundle length have no AWS bound; ours are generous (AWS chains carry 4
 * certificates and module ids are ~40 characters).
 */
export const ATTESTATION_LIMITS = {
  certificate: 1024,
  cabundle: 8,
  moduleId: 256,
  publicKey: 1024,
  userData: 1024,
  nonce: 1024,
  pcrs: 32,
} as const;

const FIELDS = new Set([
  "module_id",
  "digest",
  "timestamp",
  "pcrs",
  "certificate",
  "cabundle",
  "public_key",
  "user_data",
  "nonce",
]);

const fields = (reason: string): AttestationError => new AttestationError("payload-fields", reason);
const size = (reason: string): AttestationError => new AttestationError("size", reason);

/**
 * Decodes the attestation document payload (definite- or indefinite-length CBOR map) and checks every field
 * against the AWS specification (§3.2.2.1 allowed fields, §3.2.2.2 content). Returned byte strings are copies.
 * Internal to `verifyAttestationDocument()`; throws `AttestationError` ("cbor" / "payload-fields" / "size").
 */
export function decodeAttestationPayload(payload: Uint8Array): AttestationPayload {
  let map: unknown;
  try {
    map = decode(payload, { useMaps: true, rejectDuplicateMapKeys: true, allowUndefined: false });
  } catch (cause) {
    throw new AttestationError("cbor", `Cannot decode payload: ${(cause as Error).message}`, { cause });
  }
  if (!(map instanceof Map)) throw fields("Payload must be a CBOR map");
  for (const key of map.keys()) {
    if (typeof key !== "string" || !FIELDS.has(key)) throw fields(`Unknown payload field ${String(key)}`);
  }

  const moduleId = map.get("module_id");
  if (typeof moduleId !== "string" || moduleId.length === 0) throw fields("module_id must be non-empty text");
  if (moduleId.length > ATTESTATION_LIMITS.moduleId) throw size("module_id is too long");

  if (map.get("digest") !== "SHA384") throw fields('digest must be "SHA384"');

  const timestamp = map.get("timestamp");
  if (typeof timestamp !== "number" || !Number.isSafeInteger(timestamp) || timestamp <= 0) {
    throw fields("timestamp must be a positive integer (ms)");
  }

  const pcrMap = map.get("pcrs");
  if (!(pcrMap instanceof Map) || pcrMap.size === 0) throw fields("pcrs must be a non-empty map");
  if (pcrMap.size > ATTESTATION_LIMITS.pcrs) throw size("pcrs has more than 32 entries");
  const pcrs: Record<number, Uint8Array> = {};
  for (const [index, value] of pcrMap) {
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 31) {
      throw fields("pcrs index must be an integer 0..31");
    }
    if (!(value instanceof Uint8Array)) throw fields(`pcrs[${index}] must be a bstr`);
    if (value.byteLength !== 32 && value.byteLength !== 48 && value.byteLength !== 64) {
      throw size(`pcrs[${index}] must be 32, 48 or 64 bytes`);
    }
    pcrs[index] = value.slice();
  }

  const certificate = certificateField(map.get("certificate"), "certificate");
  const bundle = map.get("cabundle");
  if (!Array.isArray(bundle) || bundle.length === 0) throw fields("cabundle must be a non-empty array");
  if (bundle.length > ATTESTATION_LIMITS.cabundle) throw size(`cabundle has more than ${ATTESTATION_LIMITS.cabundle} entries`);
  const cabundle = bundle.map((entry, i) => certificateField(entry, `cabundle[${i}]`));

  return {
    moduleId,
    digest: "SHA384",
    timestamp,
    pcrs,
    certificate,
    cabundle,
    publicKey: optionalBytes(map.get("public_key"), "public_key", 1, ATTESTATION_LIMITS.publicKey),
    userData: optionalBytes(map.get("user_data"), "user_data", 0, ATTESTATION_LIMITS.userData),
    nonce: optionalBytes(map.get("nonce"), "nonce", 0, ATTESTATION_LIMITS.nonce),
  };
}

function certificateField(value: unknown, name: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.byteLength === 0) throw fields(`${name} must be a non-empty bstr`);
  if (value.byteLength > ATTESTATION_LIMITS.certificate) throw size(`${name} is larger than 1024 bytes`);
  return value.slice();
}

// Optional fields are absent or CBOR null in real documents (DESIGN §5).
function optionalBytes(value: unknown, name: string, min: number, max: number): Uint8Array | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Uint8Array)) throw fields(`${name} must be a bstr or null`);
  if (value.byteLength < min) throw fields(`${name} must not be empty`);
  if (value.byteLength > max) throw size(`${name} is larger than ${max} bytes`);
  return value.slice();
}
