/** A deterministic source of test choices. */
export type SeededRandom = {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One item of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `n` items of a non-empty list, drawn with replacement. */
  sample<T>(items: readonly T[], n: number): T[];
};

/**
 * A seeded pseudo-random generator (mulberry32, a tiny 32-bit PRNG; never `Math.random`), so a generated test
 * sends the same inputs on every run and a failure can be replayed from its seed. Not for anything secret.
 *
 * @example
 * ```ts
 * const random = seededRandom(0x5eed);
 * const method = random.pick(["describe", "keys.list"]);
 * ```
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick,
    sample: (items, n) => Array.from({ length: n }, () => pick(items)),
  };
}
