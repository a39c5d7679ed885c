import { decode } from "cborg";
import { AttestationError } from "./attestation_error.ts";

/** COSE algorithm identifier of ECDSA w/ SHA-384 on P-384 (RFC 8152 §8.1, "ES384"). */
export const COSE_ALG_ES384 = -35;

/** The parts of a COSE_Sign1 that the signature covers, exactly as received. */
export type CoseSign1 = {
  /** The `protected` bstr as received (its bytes go into Sig_structure unchanged). */
  protectedHeader: Uint8Array;
  /** The payload bstr's content as received: the attestation document's own CBOR bytes. */
  payload: Uint8Array;
  /** Raw r‖s, 96 bytes for ES384 (RFC 8152 §8.1). */
  signature: Uint8Array;
};

const decodeOptions = { useMaps: true, rejectDuplicateMapKeys: true, allowUndefined: false } as const;

/**
 * Decodes a COSE_Sign1 (RFC 8152 §4.2) `[protected: bstr, unprotected: map, payload: bstr, signature: bstr]`,
 * untagged as AWS sends it or with tag 18. Requires the protected header to name ES384 (alg -35) and to carry no
 * `crit` (label 2) we would have to understand. The payload is kept as the received bytes: re-encoding it would
 * turn an indefinite-length map into a definite one and break the signature.
 * Internal to `verifyAttestationDocument()`; throws `AttestationError` ("cbor" / "cose-structure").
 */
export function decodeCoseSign1(document: Uint8Array): CoseSign1 {
  // RFC 8152 §2: a tagged COSE_Sign1 starts with tag 18, a single byte 0xd2 in CBOR (RFC 8949 §3.4).
  const body = document[0] === 0xd2 ? document.subarray(1) : document;
  let item: unknown;
  try {
    item = decode(body, decodeOptions);
  } catch (cause) {
    throw new AttestationError("cbor", `Cannot decode COSE_Sign1: ${(cause as Error).message}`, { cause });
  }
  if (!Array.isArray(item) || item.length !== 4) {
    throw new AttestationError("cose-structure", "COSE_Sign1 must be an array of 4 items");
  }
  const [protectedHeader, unprotected, payload, signature] = item as unknown[];
  if (!(protectedHeader instanceof Uint8Array) || !(unprotected instanceof Map)) {
    throw new AttestationError("cose-structure", "COSE_Sign1 headers must be a bstr and a map");
  }
  if (!(payload instanceof Uint8Array) || payload.byteLength === 0) {
    throw new AttestationError("cose-structure", "COSE_Sign1 payload must be a non-empty bstr");
  }
  if (!(signature instanceof Uint8Array) || signature.byteLength !== 96) {
    throw new AttestationError("cose-structure", "ES384 signature must be a 96-byte bstr (r‖s)");
  }
  let header: unknown;
  try {
    header = decode(protectedHeader, decodeOptions);
  } catch (cause) {
    throw new AttestationError("cbor", `Cannot decode protected header: ${(cause as Error).message}`, { cause });
  }
  if (!(header instanceof Map) || header.get(1) !== COSE_ALG_ES384) {
    throw new AttestationError("cose-structure", "Protected header must name alg ES384 (-35)");
  }
  if (header.has(2)) throw new AttestationError("cose-structure", "Protected header has unsupported crit");
  return { protectedHeader, payload, signature };
}
