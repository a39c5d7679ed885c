import { describeValue } from "./describe_value.ts";
import { InvalidParamsError } from "./invalid_params_error.ts";

/** Ethereum JSON-RPC's QUANTITY (execution-apis `uint`): 0x, then hex digits without leading zeros ("0x0" for zero). */
const QUANTITY = /^0x(0|[1-9a-f][0-9a-f]{0,63})$/i;

/**
 * A hex quantity as JSON-RPC encodes one (no leading zeros: `"0x01"` is refused, as geth refuses it) that fits in
 * `bits` (a transaction's `gas` and `nonce` are uint64, fees and `value` uint256). INVALID_PARAMS naming `field`
 * otherwise.
 *
 * @example
 * ```ts
 * parseQuantity("0x5208", "gas", { bits: 64 }); // 21000n
 * ```
 */
export function parseQuantity(value: unknown, field: string, options: { bits?: 64 | 256 } = {}): bigint {
  const bits = options.bits ?? 256;
  if (typeof value !== "string" || !QUANTITY.test(value)) {
    throw new InvalidParamsError(field, `expected a hex quantity like "0x1a", got ${describeValue(value)}`);
  }
  const n = BigInt(value);
  if (n >> BigInt(bits) !== 0n) throw new InvalidParamsError(field, `exceeds ${bits} bits (at most 2^${bits}-1)`);
  return n;
}
