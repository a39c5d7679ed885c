import { encode } from "cborg";
import { concatBytes } from "viem";

/**
 * A small CBOR writer (RFC 8949) for test input cborg's encoder will not write: duplicate and non-string map
 * keys, tags, hand-written items (`-0` as a half float, reserved bytes) and nesting deeper than its recursion
 * allows. Arrays and plain objects are written here, scalars by cborg; an {@link CborItem} is spliced in as is.
 */

/** Bytes spliced into the output as they are. */
export type CborItem = { readonly cbor: Uint8Array };

/**
 * Raw bytes as an item, e.g. `item(0xf9, 0x80, 0x00)` for a half-float `-0`.
 *
 * @example
 * ```ts
 * const negativeZero = item(0xf9, 0x80, 0x00);
 * ```
 */
export const item = (...bytes: number[]): CborItem => ({ cbor: new Uint8Array(bytes) });

const isItem = (v: unknown): v is CborItem => typeof v === "object" && v !== null && (v as CborItem).cbor instanceof Uint8Array;

/** RFC 8949 §3: the initial byte of `major` with argument `n` (inline below 24, else four bytes). */
const head = (major: number, n: number) => {
  if (n < 24) return new Uint8Array([(major << 5) | n]);
  const b = new Uint8Array(5);
  b[0] = (major << 5) | 26;
  new DataView(b.buffer).setUint32(1, n);
  return b;
};

/**
 * Encodes `value`: items as they are, arrays and plain objects here (objects as maps in key order), everything
 * else through cborg.
 *
 * @example
 * ```ts
 * const body = cbor({ id: 1, method: "describe", params: tag(0, "2020-01-01T00:00:00Z") });
 * ```
 */
export function cbor(value: unknown): Uint8Array {
  if (isItem(value)) return value.cbor;
  if (Array.isArray(value)) return concatBytes([head(4, value.length), ...value.map(cbor)]);
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) return pairs(...Object.entries(value)).cbor;
  return encode(value);
}

/**
 * A map with any keys, in order, duplicates kept.
 *
 * @example
 * ```ts
 * const lastWins = pairs(["id", 1], ["method", "keys.generate"], ["id", 2]);
 * ```
 */
export function pairs(...kv: [unknown, unknown][]): CborItem {
  return { cbor: concatBytes([head(5, kv.length), ...kv.flatMap(([k, v]) => [cbor(k), cbor(v)])]) };
}

/**
 * A tagged item (major type 6).
 *
 * @example
 * ```ts
 * const date = tag(0, "2020-01-01T00:00:00Z");
 * ```
 */
export const tag = (n: number, value: unknown): CborItem => ({ cbor: concatBytes([head(6, n), cbor(value)]) });

/**
 * `depth` one-item arrays (or one-key maps, key `"a"`) around `leaf`.
 *
 * @example
 * ```ts
 * const tooDeep = deep(100_000, 1, "map");
 * ```
 */
export const deep = (depth: number, leaf: unknown, kind: "array" | "map" = "array"): CborItem => {
  const open = kind === "array" ? [0x81] : [0xa1, 0x61, 0x61];
  const bytes = new Uint8Array(depth * open.length);
  for (let i = 0; i < depth; i++) bytes.set(open, i * open.length);
  return { cbor: concatBytes([bytes, cbor(leaf)]) };
};
