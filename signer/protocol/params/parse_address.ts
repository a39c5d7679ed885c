import { isAddress, type Hex } from "viem";
import { describeValue } from "./describe_value.ts";
import { InvalidParamsError } from "./invalid_params_error.ts";

/**
 * Whether `value` has the form of an address: 0x and 40 hex digits, in any case (no checksum check; see
 * `parseAddress` for an address to sign with).
 *
 * @example
 * ```ts
 * isHexAddress("0x70997970c51812dc3a010c7d01b50e0d17dc79c8"); // true
 * ```
 */
export function isHexAddress(value: unknown): value is Hex {
  return typeof value === "string" && /^0x[0-9a-fA-F]{40}$/.test(value);
}

/**
 * A 20-byte address field: one case carries no checksum and is lower-cased (all caps too, which viem's serializer
 * would refuse); mixed case is an EIP-55 checksum that must match. INVALID_PARAMS naming `field` otherwise.
 *
 * @example
 * ```ts
 * parseAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "to");
 * ```
 */
export function parseAddress(value: unknown, field: string): Hex {
  if (!isHexAddress(value)) throw new InvalidParamsError(field, `expected a 20-byte address, got ${describeValue(value)}`);
  const digits = value.slice(2);
  if (digits === digits.toLowerCase() || digits === digits.toUpperCase()) return value.toLowerCase() as Hex;
  if (!isAddress(value)) throw new InvalidParamsError(field, "mixed-case address with a wrong EIP-55 checksum");
  return value;
}
