export type BackoffOptions = {
  /** Delay after the first failure. @default 1000 */
  initialMs?: number;
  /** Upper bound of any delay. @default 60000 */
  maxMs?: number;
  /** Growth per consecutive failure. @default 2 */
  factor?: number;
};

/**
 * The delay before retry number `attempt` (1 = after the first failure): `initialMs · factor^(attempt-1)`,
 * capped at `maxMs`. No jitter: each instance restarts its own enclave, so there is no herd to spread.
 *
 * @example
 * ```ts
 * computeBackoff(1); // 1000
 * computeBackoff(4); // 8000
 * computeBackoff(20); // 60000
 * ```
 */
export function computeBackoff(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const factor = options.factor ?? 2;
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError(`Invalid backoff attempt ${attempt}: expected an integer ≥ 1`);
  if (!(initial >= 0) || !(max >= initial) || !(factor >= 1)) throw new RangeError("Invalid backoff: need 0 ≤ initialMs ≤ maxMs and factor ≥ 1");
  return Math.min(max, initial * factor ** Math.min(attempt - 1, 64));
}
