export type PlanCredentialRefreshOptions = {
  /** Fetch new credentials this long before the current ones expire. @default 15 min */
  refreshBeforeMs?: number;
  /** Never wait longer than this between two fetches (catches early rotations). @default 1 hour */
  maxIntervalMs?: number;
  /** Never poll IMDS more often than this. @default 10 s */
  minIntervalMs?: number;
};

/**
 * How long to wait before fetching role credentials again, given when the current ones expire. EC2 makes new
 * instance-role credentials available at least five minutes before the old ones expire (EC2 User Guide, "IAM
 * roles for Amazon EC2"), so refreshing 15 minutes ahead leaves room for several retries; when IMDS still
 * serves the same set, the next attempt comes `minIntervalMs` later.
 *
 * @example
 * ```ts
 * planCredentialRefresh(new Date(now + 6 * 3600_000), now); // 3600000 (the 1 h cap)
 * planCredentialRefresh(new Date(now + 20 * 60_000), now);  // 300000 (5 min: 15 min before expiry)
 * ```
 */
export function planCredentialRefresh(expiration: Date, now: number, options: PlanCredentialRefreshOptions = {}): number {
  const before = options.refreshBeforeMs ?? 15 * 60_000;
  const max = options.maxIntervalMs ?? 3600_000;
  const min = options.minIntervalMs ?? 10_000;
  if (!(expiration instanceof Date) || Number.isNaN(expiration.getTime())) throw new TypeError("Cannot plan a refresh: expiration is not a valid Date");
  if (!(min >= 0) || !(max >= min) || !(before >= 0)) throw new RangeError("Cannot plan a refresh: need 0 ≤ minIntervalMs ≤ maxIntervalMs and refreshBeforeMs ≥ 0");
  return Math.min(max, Math.max(min, expiration.getTime() - before - now));
}
