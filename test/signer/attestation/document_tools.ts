// Test helpers that take attestation documents apart and put them back together (without re-signing).
import { decode, encode } from "cborg";

export type Parts = { protectedHeader: Uint8Array; payload: Map<string, unknown>; signature: Uint8Array };

export function split(document: Uint8Array): Parts {
  const [protectedHeader, , payload, signature] = decode(document, { useMaps: true }) as [Uint8Array, unknown, Uint8Array, Uint8Array];
  return { protectedHeader, payload: decode(payload, { useMaps: true }) as Map<string, unknown>, signature };
}

export function join(parts: Parts, options: { payloadBytes?: Uint8Array } = {}): Uint8Array {
  const payload = options.payloadBytes ?? encode(parts.payload, { mapSorter: () => 0 });
  return encode([parts.protectedHeader, new Map(), payload, parts.signature]);
}

/** Copy of the document with `edit` applied to its decoded payload (the signature no longer matches). */
export function withPayload(document: Uint8Array, edit: (payload: Map<string, unknown>) => void): Uint8Array {
  const parts = split(document);
  edit(parts.payload);
  return join(parts);
}

/** Copy of `bytes` with the first occurrence of `needle` changed in its last byte. */
export function flipInside(bytes: Uint8Array, needle: Uint8Array): Uint8Array {
  const copy = bytes.slice();
  outer: for (let i = 0; i + needle.length <= copy.length; i++) {
    for (let j = 0; j < needle.length; j++) if (copy[i + j] !== needle[j]) continue outer;
    copy[i + needle.length - 1]! ^= 0x01;
    return copy;
  }
  throw new Error("needle not found");
}
