import type { Hex } from "viem";
import { describeValue } from "./describe_value.ts";
import { InvalidParamsError } from "./invalid_params_error.ts";

/**
 * Ethereum JSON-RPC's DATA: 0x and an even number of hex digits; with `length`, exactly that many bytes.
 * INVALID_PARAMS naming `field` otherwise.
 *
 * @example
 * ```ts
 * parseHexBytes("0xa9059cbb", "data");
 * parseHexBytes(hash, "blobVersionedHashes[0]", { length: 32 });
 * ```
 */
export function parseHexBytes(value: unknown, field: string, options: { length?: number } = {}): Hex {
  const { length } = options;
  if (typeof value === "string" && /^0x([0-9a-f]{2})*$/i.test(value) && (length === undefined || value.length === 2 + 2 * length)) {
    return value as Hex;
  }
  const expected = length === undefined ? "0x-prefixed hex bytes" : `${length} bytes of hex`;
  throw new InvalidParamsError(field, `expected ${expected}, got ${describeValue(value)}`);
}
