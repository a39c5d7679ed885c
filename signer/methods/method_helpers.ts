import { isHexAddress } from "../protocol/params/parse_address.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";

/** The params map of a request, or INVALID_PARAMS. `undefined`/null count as an empty map. */
export function paramsRecord(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value) || value instanceof Uint8Array) {
    throw new InvalidParamsError("params", "expected a map");
  }
  return value as Record<string, unknown>;
}

/** A required 0x address param. */
export function addressParam(params: Record<string, unknown>, field = "address"): `0x${string}` {
  const value = params[field];
  if (!isHexAddress(value)) throw new InvalidParamsError(field, "expected a 20-byte 0x address");
  return value;
}

/** An optional label: text of at most 64 characters. */
export function labelParam(params: Record<string, unknown>): string | undefined {
  const { label } = params;
  if (label === undefined) return undefined;
  if (typeof label !== "string" || label.length > 64) throw new InvalidParamsError("label", "expected text of at most 64 characters");
  return label;
}
