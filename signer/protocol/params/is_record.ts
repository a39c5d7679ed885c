/**
 * A JSON-RPC or CBOR map: an object that is not an array or a byte string.
 *
 * @example
 * ```ts
 * isRecord({ to: "0x…" }); // true
 * isRecord([1]); // false
 * ```
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
