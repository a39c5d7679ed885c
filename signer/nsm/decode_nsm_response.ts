import { decode } from "cborg";
import type { NsmDescription, NsmErrorCode, NsmResponse } from "./nsm.ts";
import { NsmError } from "./nsm_error.ts";

const ERROR_CODES: ReadonlySet<string> = new Set<NsmErrorCode>([
  "InvalidArgument",
  "InvalidIndex",
  "InvalidResponse",
  "ReadOnlyIndex",
  "InvalidOperation",
  "BufferTooSmall",
  "InputTooLarge",
  "InternalError",
]);

const invalid = (message: string, cause?: unknown): NsmError =>
  new NsmError("InvalidResponse", message, cause === undefined ? {} : { cause });

/**
 * Decodes an NSM response (aws-nitro-enclaves-nsm-api `Response`, DESIGN §5). `{ "Error": "<Code>" }` decodes to
 * `{ type: "Error", code }`; anything malformed throws `NsmError("InvalidResponse")`.
 *
 * @example
 * ```ts
 * const response = decodeNsmResponse(bytes);
 * if (response.type === "Attestation") use(response.document);
 * ```
 */
export function decodeNsmResponse(bytes: Uint8Array): NsmResponse {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("Cannot decode NSM response: expected a Uint8Array");
  let value: unknown;
  try {
    value = decode(bytes, { useMaps: true, rejectDuplicateMapKeys: true, allowUndefined: false });
  } catch (cause) {
    throw invalid("response is not CBOR", cause);
  }
  if (!(value instanceof Map) || value.size !== 1) throw invalid("response must be a one-entry map");
  const [[name, body]] = [...value] as [[unknown, unknown]];
  if (name === "Error") {
    if (typeof body !== "string" || !ERROR_CODES.has(body)) throw invalid(`unknown error code ${String(body)}`);
    return { type: "Error", code: body as NsmErrorCode };
  }
  if (!(body instanceof Map)) throw invalid(`${String(name)} body must be a map`);
  const bytesField = (key: string): Uint8Array => {
    const v = body.get(key);
    if (!(v instanceof Uint8Array)) throw invalid(`${String(name)}.${key} must be bytes`);
    return v;
  };
  switch (name) {
    case "GetRandom":
      return { type: "GetRandom", random: bytesField("random") };
    case "Attestation":
      return { type: "Attestation", document: bytesField("document") };
    case "DescribePCR": {
      const lock = body.get("lock");
      if (typeof lock !== "boolean") throw invalid("DescribePCR.lock must be a bool");
      return { type: "DescribePCR", lock, data: bytesField("data") };
    }
    case "DescribeNSM":
      return { type: "DescribeNSM", description: description(body) };
    default:
      throw invalid(`unknown response ${String(name)}`);
  }
}

function description(body: Map<unknown, unknown>): NsmDescription {
  const u16 = (key: string): number => {
    const v = body.get(key);
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff) throw invalid(`DescribeNSM.${key} must be a u16`);
    return v;
  };
  const moduleId = body.get("module_id");
  if (typeof moduleId !== "string") throw invalid("DescribeNSM.module_id must be text");
  const locked = body.get("locked_pcrs");
  if (!Array.isArray(locked)) throw invalid("DescribeNSM.locked_pcrs must be an array");
  const lockedPcrs = locked.map((v: unknown) => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 0xffff) throw invalid("DescribeNSM.locked_pcrs must hold u16");
    return v;
  });
  const digest = body.get("digest");
  if (digest !== "SHA256" && digest !== "SHA384" && digest !== "SHA512") throw invalid("DescribeNSM.digest is unknown");
  return {
    versionMajor: u16("version_major"),
    versionMinor: u16("version_minor"),
    versionPatch: u16("version_patch"),
    moduleId,
    maxPcrs: u16("max_pcrs"),
    lockedPcrs,
    digest,
  };
}
