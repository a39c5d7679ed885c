import type { Hex } from "../protocol/messages.ts";
import { PolicyRefusedError } from "./policy_refused_error.ts";
import type { PolicyLimit, PolicyRequest, PolicyReservation, WindowUsage } from "./policy_types.ts";

export type CreatePolicyWindowsParameters = {
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /**
   * Most entries kept per account (one per second with signed requests); past it the oldest is merged into the
   * next, which only ever makes a window count longer (never shorter). @default 65536
   */
  readonly maxEntries?: number;
};

/** What the limits say about one more request: `rule` is the first limit it would exceed. */
export type WindowCheck = { readonly allowed: true } | { readonly allowed: false; readonly rule: string; readonly reason: string };

export type PolicyWindows = {
  /**
   * Counts `request` in `account`'s windows before its signature is released, or throws PolicyRefusedError naming the
   * first limit it would exceed (and counts nothing). `release()` the reservation if the signature then fails.
   */
  reserve(account: Hex, limits: readonly PolicyLimit[], request: PolicyRequest): PolicyReservation;
  /** The same check as `reserve`, without counting: a dry run. */
  wouldAllow(account: Hex, limits: readonly PolicyLimit[], request: PolicyRequest): WindowCheck;
  /** Each limit's use of its window at `now` (default: the clock). */
  usage(account: Hex, limits: readonly PolicyLimit[], now?: number): WindowUsage[];
};

type Entry = { at: number; count: number; value: bigint; into?: Entry };

const NO_RESERVATION: PolicyReservation = Object.freeze({ release() {} });

/**
 * Rolling windows over each account's signed requests (issue 12, "limits"), in memory and per signer instance. A
 * request counts once in every limit of its account: `maxCount` counts requests of any action, `maxValue` sums a
 * transaction's native value (wei). Entries are kept at one-second resolution, rounded up (a request leaves its
 * windows up to a second late, never early), and pruned once older than the longest window asked about; with no
 * limits nothing is recorded. The clock is injected; if it goes backwards, new entries take the latest time seen.
 *
 * @example
 * ```ts
 * const windows = createPolicyWindows();
 * const reservation = windows.reserve(account, document.limits, request); // throws PolicyRefusedError("daily-eth", …)
 * try { return await sign(); } catch (error) { reservation.release(); throw error; }
 * ```
 */
export function createPolicyWindows(parameters: CreatePolicyWindowsParameters = {}): PolicyWindows {
  const clock = parameters.now ?? (() => Date.now());
  const maxEntries = parameters.maxEntries ?? 65536;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 2) throw new RangeError("Cannot create policy windows: maxEntries must be an integer ≥ 2");
  const accounts = new Map<string, Entry[]>();

  function entriesOf(account: Hex, limits: readonly PolicyLimit[], now: number): Entry[] {
    const key = account.toLowerCase();
    const entries = accounts.get(key) ?? [];
    const longest = Math.max(0, ...limits.map((l) => l.window)) * 1000;
    let expired = 0;
    while (expired < entries.length && entries[expired]!.at <= now - longest) expired++;
    if (expired > 0) entries.splice(0, expired);
    if (entries.length === 0) accounts.delete(key);
    return entries;
  }

  function sums(entries: readonly Entry[], limit: PolicyLimit, now: number): { value: bigint; count: number } {
    const since = now - limit.window * 1000;
    let value = 0n;
    let count = 0;
    for (let i = entries.length - 1; i >= 0 && entries[i]!.at > since; i--) {
      value += entries[i]!.value;
      count += entries[i]!.count;
    }
    return { value, count };
  }

  function check(entries: readonly Entry[], limits: readonly PolicyLimit[], value: bigint, now: number): WindowCheck {
    for (const limit of limits) {
      const used = sums(entries, limit, now);
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

  return {
    reserve(account, limits, request) {
      if (limits.length === 0) return NO_RESERVATION;
      const now = clock();
      const entries = entriesOf(account, limits, now);
      const value = valueOf(request);
      const decision = check(entries, limits, value, now);
      if (!decision.allowed) throw new PolicyRefusedError(decision.rule, decision.reason);
      const last = entries[entries.length - 1];
      const at = Math.max(Math.ceil(now / 1000) * 1000, last?.at ?? 0);
      let entry: Entry;
      if (last !== undefined && last.at === at) {
        entry = last;
        entry.count += 1;
        entry.value += value;
      } else {
        entry = { at, count: 1, value };
        entries.push(entry);
        if (entries.length > maxEntries) {
          const [oldest, next] = entries as [Entry, Entry];
          next.count += oldest.count;
          next.value += oldest.value;
          oldest.into = next;
          entries.shift();
        }
      }
      accounts.set(account.toLowerCase(), entries);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          let live = entry;
          while (live.into !== undefined) live = live.into;
          live.count = Math.max(0, live.count - 1);
          live.value = live.value > value ? live.value - value : 0n;
        },
      };
    },
    wouldAllow(account, limits, request) {
      if (limits.length === 0) return { allowed: true };
      const now = clock();
      return check(entriesOf(account, limits, now), limits, valueOf(request), now);
    },
    usage(account, limits, now = clock()) {
      const entries = entriesOf(account, limits, now);
      return limits.map((limit) => {
        const used = sums(entries, limit, now);
        return { id: limit.id, window: limit.window, value: used.value.toString(), count: used.count };
      });
    },
  };
}

/** What `maxValue` sums: a transaction's native value; other actions move no ether. */
function valueOf(request: PolicyRequest): bigint {
  return request.action === "transaction" ? request.transaction.value ?? 0n : 0n;
}
