import { decode } from "cborg";
import type { NsmRequest } from "../nsm.ts";
import { NsmError } from "../nsm_error.ts";

/**
 * Decodes an NSM request (the inverse of `encodeNsmRequest()`), as a simulated device reads it. Throws
 * `NsmError("InvalidArgument")` for anything that is not one of the supported requests.
 *
 * @example
 * ```ts
 * decodeNsmRequest(encodeNsmRequest({ type: "DescribePCR", index: 0 })); // { type: "DescribePCR", index: 0 }
 * ```
 */
export function decodeNsmRequest(bytes: Uint8Array): NsmRequest {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("Cannot decode NSM request: expected a Uint8Array");
  let value: unknown;
  try {
    value = decode(bytes, { useMaps: true, rejectDuplicateMapKeys: true, allowUndefined: false });
  } catch (cause) {
    throw new NsmError("InvalidArgument", "request is not CBOR", { cause });
  }
  if (value === "GetRandom" || value === "DescribeNSM") return { type: value };
  if (!(value instanceof Map) || value.size !== 1) throw new NsmError("InvalidArgument", "unsupported request");
  const [[name, body]] = [...value] as [[unknown, unknown]];
  if (!(body instanceof Map)) throw new NsmError("InvalidArgument", "request body must be a map");
  if (name === "DescribePCR") {
    const index = body.get("index");
    if (body.size !== 1 || typeof index !== "number" || !Number.isInteger(index) || index < 0 || index > 0xffff) {
      throw new NsmError("InvalidArgument", "DescribePCR needs a u16 index");
    }
    return { type: "DescribePCR", index };
  }
  if (name === "Attestation") {
    const field = (key: string): Uint8Array | null => {
      const v = body.get(key);
      if (v === null || v === undefined) return null;
      if (v instanceof Uint8Array) return v;
      throw new NsmError("InvalidArgument", `Attestation ${key} must be bytes or null`);
    };
    for (const key of body.keys()) {
      if (key !== "user_data" && key !== "nonce" && key !== "public_key") {
        throw new NsmError("InvalidArgument", `unknown Attestation field ${String(key)}`);
      }
    }
    // serde's Option fields: absent and null both mean None.
    return { type: "Attestation", userData: field("user_data"), nonce: field("nonce"), publicKey: field("public_key") };
  }
  throw new NsmError("InvalidArgument", `unsupported request ${String(name)}`);
}
