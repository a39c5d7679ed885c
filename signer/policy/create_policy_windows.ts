import type { Hex } from "../protocol/messages.ts";
import { PolicyRefusedError } from "./policy_refused_error.ts";
import type { PolicyLimit, PolicyRequest, PolicyReservation, WindowUsage } from "./policy_types.ts";
import { appendWindowEntry, checkWindowEntries, pruneWindowEntries, requestValue, type WindowCheck, type WindowEntry, windowUsage } from "./window_entries.ts";

export type { WindowCheck } from "./window_entries.ts";

export type CreatePolicyWindowsParameters = {
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /**
   * Most entries kept per account (one per second with signed requests); past it the oldest is merged into the
   * next, which only ever makes a window count longer (never shorter). @default 65536
   */
  readonly maxEntries?: number;
};


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

const NO_RESERVATION: PolicyReservation = Object.freeze({ release() {} });

/**
 * Rolling windows over each account's signed requests (issue 12, "limits"), in memory and per signer instance
 * (`--windows memory`; the limit arithmetic is window_entries.ts, shared with the fleet's records). A
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
  const accounts = new Map<string, WindowEntry[]>();

  function entriesOf(account: Hex, limits: readonly PolicyLimit[], now: number): WindowEntry[] {
    const key = account.toLowerCase();
    const entries = pruneWindowEntries(accounts.get(key) ?? [], limits, now);
    if (entries.length === 0) accounts.delete(key);
    return entries;
  }

  return {
    reserve(account, limits, request) {
      if (limits.length === 0) return NO_RESERVATION;
      const now = clock();
      const entries = entriesOf(account, limits, now);
      const value = requestValue(request);
      const decision = checkWindowEntries(entries, limits, value, now);
      if (!decision.allowed) throw new PolicyRefusedError(decision.rule, decision.reason);
      const entry = appendWindowEntry(entries, now, value, { maxEntries });
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
      return checkWindowEntries(entriesOf(account, limits, now), limits, requestValue(request), now);
    },
    usage(account, limits, now = clock()) {
      return windowUsage(entriesOf(account, limits, now), limits, now);
    },
  };
}
