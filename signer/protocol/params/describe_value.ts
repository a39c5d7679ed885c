/**
 * A caller's value as an error message may echo it: strings quoted, anything else by its type (`null` and
 * arrays named as such, so "expected an object" never says "got object"), cut at 40 characters (a message never
 * carries a whole payload back).
 *
 * @example
 * ```ts
 * describeValue("0x7099"); // "\"0x7099\""
 * describeValue(12); // "number"
 * describeValue([]); // "array"
 * ```
 */
export function describeValue(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
