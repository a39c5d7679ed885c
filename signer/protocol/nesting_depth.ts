/**
 * The deepest nesting of arrays and objects accepted in a request's params, by the signer (every method) and by
 * the rpc-proxy (every JSON-RPC entry) alike. Real params stay below 10 (a blob transaction is 3, eth_call state
 * overrides 4, typed data a few more); far deeper values exhaust the stack where they are written (JSON for the
 * node, CBOR for the signer) or copied (structured clone to a signing worker), at a few thousand levels.
 */
export const MAX_PARAMS_DEPTH = 64;

/**
 * How deeply arrays and objects nest in a decoded JSON or CBOR value: 0 for a scalar (byte strings included),
 * 1 for `[]` or `{ "a": 1 }`. Iterative, so any depth is measured in constant stack, and it stops as soon as the
 * depth passes `max` (returning a value above `max`).
 *
 * @example
 * ```ts
 * nestingDepth([{ a: [1] }], 64); // 3
 * ```
 */
export function nestingDepth(value: unknown, max: number): number {
  let deepest = 0;
  const pending: [value: unknown, depth: number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== "object" || item === null || ArrayBuffer.isView(item)) continue;
    if (depth + 1 > deepest) deepest = depth + 1;
    if (deepest > max) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}
