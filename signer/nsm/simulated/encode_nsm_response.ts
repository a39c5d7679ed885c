import { encode } from "cborg";
import type { NsmResponse } from "../nsm.ts";

/**
 * Encodes an NSM response as the device writes it (aws-nitro-enclaves-nsm-api `Response`, serde externally
 * tagged, struct fields in declaration order): `{ "GetRandom": { "random" } }`, `{ "DescribeNSM": { … } }`,
 * `{ "DescribePCR": { "lock", "data" } }`, `{ "Attestation": { "document" } }`, `{ "Error": "<Code>" }`.
 *
 * @example
 * ```ts
 * encodeNsmResponse({ type: "Error", code: "InvalidIndex" });
 * ```
 */
export function encodeNsmResponse(response: NsmResponse): Uint8Array {
  let body: unknown;
  switch (response?.type) {
    case "GetRandom":
      body = new Map([["random", response.random]]);
      break;
    case "DescribeNSM": {
      const d = response.description;
      body = new Map<string, unknown>([
        ["version_major", d.versionMajor],
        ["version_minor", d.versionMinor],
        ["version_patch", d.versionPatch],
        ["module_id", d.moduleId],
        ["max_pcrs", d.maxPcrs],
        ["locked_pcrs", [...d.lockedPcrs].sort((a, b) => a - b)],
        ["digest", d.digest],
      ]);
      break;
    }
    case "DescribePCR":
      body = new Map<string, unknown>([["lock", response.lock], ["data", response.data]]);
      break;
    case "Attestation":
      body = new Map([["document", response.document]]);
      break;
    case "Error":
      body = response.code;
      break;
    default:
      throw new TypeError(`Cannot encode NSM response: unknown type ${String((response as { type?: unknown })?.type)}`);
  }
  return encode(new Map([[response.type, body]]), { mapSorter: () => 0 });
}
