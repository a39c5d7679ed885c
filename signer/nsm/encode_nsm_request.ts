import { encode } from "cborg";
import type { NsmRequest } from "./nsm.ts";

/**
 * Encodes an NSM request as the device expects it: serde's externally tagged enum in CBOR
 * (aws-nitro-enclaves-nsm-api `Request`, DESIGN §5). Unit variants are a text string (`"GetRandom"`,
 * `"DescribeNSM"`), struct variants a one-entry map: `{ "DescribePCR": { "index": u16 } }`,
 * `{ "Attestation": { "user_data", "nonce", "public_key" } }` with absent fields as null, keys in the
 * struct's declaration order (as serde writes them).
 *
 * @example
 * ```ts
 * encodeNsmRequest({ type: "GetRandom" }); // 69 47 65 74 52 61 6e 64 6f 6d
 * ```
 */
export function encodeNsmRequest(request: NsmRequest): Uint8Array {
  switch (request?.type) {
    case "GetRandom":
    case "DescribeNSM":
      return encode(request.type);
    case "DescribePCR":
      if (!Number.isInteger(request.index) || request.index < 0 || request.index > 0xffff) {
        throw new RangeError(`Cannot encode DescribePCR: index ${request.index} is not a u16`);
      }
      return encodeOrdered(new Map([["DescribePCR", new Map([["index", request.index]])]]));
    case "Attestation": {
      for (const [name, value] of [["userData", request.userData], ["nonce", request.nonce], ["publicKey", request.publicKey]] as const) {
        if (value !== null && !(value instanceof Uint8Array)) throw new TypeError(`Cannot encode Attestation: ${name} must be bytes or null`);
      }
      const fields = new Map<string, Uint8Array | null>([
        ["user_data", request.userData],
        ["nonce", request.nonce],
        ["public_key", request.publicKey],
      ]);
      return encodeOrdered(new Map([["Attestation", fields]]));
    }
    default:
      throw new TypeError(`Cannot encode NSM request: unknown type ${String((request as { type?: unknown })?.type)}`);
  }
}

// cborg sorts map keys by default (RFC 7049 canonical order); serde keeps declaration order, so do we.
function encodeOrdered(value: unknown): Uint8Array {
  return encode(value, { mapSorter: () => 0 });
}
