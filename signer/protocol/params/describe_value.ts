/**
 * A caller's value as an error message may echo it: strings quoted, anything else by its type, cut at 40
 * characters (a message never carries a whole payload back).
 *
 * @example
 * ```ts
 * describeValue("0x7099"); // "\"0x7099\""
 * describeValue(12); // "number"
 * ```
 */
export function describeValue(value: unknown): string {
  const text = typeof value === "string" ? JSON.stringify(value) : typeof value;
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
