import type { PolicyLimit, PolicyRequest, WindowUsage } from "./policy_types.ts";

/**
 * One second of an account's signed requests: `at` in milliseconds since the epoch (a whole second, rounded up),
 * how many requests and how much native value (wei). `into`: the entry it was merged into when the list was capped
 * (memory mode follows it to release a reservation).
 */
export type WindowEntry = { at: number; count: number; value: bigint; into?: WindowEntry };

/** What the limits say about one more request: `rule` is the first limit it would exceed. */
export type WindowCheck = { readonly allowed: true } | { readonly allowed: false; readonly rule: string; readonly reason: string };

/**
 * The limit arithmetic of the policy windows (issue 12, "limits"), as pure functions over one account's entries
 * (oldest first), shared by the memory windows (createPolicyWindows) and the fleet's window records
 * (createFleetWindows, docs/fleet-state.md) so both decide alike. A request counts once in every limit: `maxCount`
 * counts requests of any action, `maxValue` sums a transaction's native value. An entry counts in a window of
 * `w` seconds while `at > now - w·1000`.
 *
 * @example
 * ```ts
 * pruneWindowEntries(entries, limits, now);
 * const check = checkWindowEntries(entries, limits, requestValue(request), now);
 * if (check.allowed) appendWindowEntry(entries, now, requestValue(request), { maxEntries: 512 });
 * ```
 */
export function checkWindowEntries(entries: readonly WindowEntry[], limits: readonly PolicyLimit[], value: bigint, now: number): WindowCheck {
  for (const limit of limits) {
    const used = windowSums(entries, limit, now);
    if (limit.maxCount !== undefined && used.count + 1 > limit.maxCount) {
      return {
        allowed: false,
        rule: limit.id,
        reason: `limit ${limit.id}: ${used.count} requests signed in the last ${limit.window} s, at its maxCount ${limit.maxCount}`,
      };
    }
    if (limit.maxValue !== undefined && used.value + value > limit.maxValue) {
      return {
        allowed: false,
        rule: limit.id,
        reason: `limit ${limit.id}: ${used.value} wei signed in the last ${limit.window} s plus this ${value} wei would exceed maxValue ${limit.maxValue}`,
      };
    }
  }
  return { allowed: true };
}

/** Removes (in place) the entries older than the longest of `limits`' windows at `now`; returns the list. */
export function pruneWindowEntries(entries: WindowEntry[], limits: readonly PolicyLimit[], now: number): WindowEntry[] {
  const longest = longestWindow(limits) * 1000;
  let expired = 0;
  while (expired < entries.length && entries[expired]!.at <= now - longest) expired++;
  if (expired > 0) entries.splice(0, expired);
  return entries;
}

/**
 * Counts one request of `value` wei at `now` (rounded up to the second; never before the latest entry, so a clock
 * that goes backwards never shortens a window). Past `maxEntries` the oldest entry is merged into the next, which
 * only ever makes a window count longer, never shorter. Returns the entry it was counted in.
 */
export function appendWindowEntry(entries: WindowEntry[], now: number, value: bigint, options: { maxEntries: number }): WindowEntry {
  const last = entries[entries.length - 1];
  const at = Math.max(Math.ceil(now / 1000) * 1000, last?.at ?? 0);
  if (last !== undefined && last.at === at) {
    last.count += 1;
    last.value += value;
    return last;
  }
  const entry: WindowEntry = { at, count: 1, value };
  entries.push(entry);
  while (entries.length > options.maxEntries) {
    const [oldest, next] = entries as [WindowEntry, WindowEntry];
    next.count += oldest.count;
    next.value += oldest.value;
    oldest.into = next;
    entries.shift();
  }
  return entry;
}

/** Each limit's use of its window at `now`. */
export function windowUsage(entries: readonly WindowEntry[], limits: readonly PolicyLimit[], now: number): WindowUsage[] {
  return limits.map((limit) => {
    const used = windowSums(entries, limit, now);
    return { id: limit.id, window: limit.window, value: used.value.toString(), count: used.count };
  });
}

/** The longest window of `limits`, in seconds (0 without limits). */
export function longestWindow(limits: readonly PolicyLimit[]): number {
  return Math.max(0, ...limits.map((l) => l.window));
}

/** What `maxValue` sums: a transaction's native value; other actions move no ether. */
export function requestValue(request: PolicyRequest): bigint {
  return request.action === "transaction" ? request.transaction.value ?? 0n : 0n;
}

function windowSums(entries: readonly WindowEntry[], limit: PolicyLimit, now: number): { value: bigint; count: number } {
  const since = now - limit.window * 1000;
  let value = 0n;
  let count = 0;
  for (let i = entries.length - 1; i >= 0 && entries[i]!.at > since; i--) {
    value += entries[i]!.value;
    count += entries[i]!.count;
  }
  return { value, count };
}
