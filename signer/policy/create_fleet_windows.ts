import type { Hex, WindowStateResult } from "../protocol/messages.ts";
import { PolicyRefusedError } from "./policy_refused_error.ts";
import type { PolicyLimit, PolicyRequest, WindowUsage } from "./policy_types.ts";
import {
  appendWindowEntry,
  checkWindowEntries,
  longestWindow,
  pruneWindowEntries,
  requestValue,
  type WindowCheck,
  type WindowEntry,
  windowUsage,
} from "./window_entries.ts";
import { decodeWindowRecord, encodeWindowRecord, MAX_WINDOW_RECORD_ENTRIES } from "./window_record.ts";
import { WindowStateStaleError } from "./window_state_errors.ts";

export type CreateFleetWindowsParameters = {
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
  /** Most entries per record; past it the oldest merges into the next (conservative). @default 512 */
  readonly maxEntries?: number;
};

/** A presented window state, verified and not stale: decide on it, then issue its successor. */
export type FleetWindowState = {
  /** The presented record's version (0 for none). */
  readonly version: number;
  /** The limits' answer about one more request on this state (a dry run). */
  check(request: PolicyRequest): WindowCheck;
  /**
   * Decides `request` on this state or throws PolicyRefusedError naming the first limit it would exceed. Issue the
   * successor record only once the signature exists; a refused or failed request issues nothing.
   */
  reserve(request: PolicyRequest): { issue(): Promise<WindowStateResult> };
};

export type FleetWindows = {
  /**
   * Verifies `record` (the account's item, or null when the table has none) under `key` and refuses it when older
   * than the newest state this signer issued or accepted while that one still has unexpired entries.
   */
  open(account: Hex, limits: readonly PolicyLimit[], record: Uint8Array | null, key: CryptoKey): Promise<FleetWindowState>;
  /** Each limit's use in the newest state this signer knows for `account` (zero when none). */
  usage(account: Hex, limits: readonly PolicyLimit[], now?: number): WindowUsage[];
};

type Newest = { readonly version: number; readonly expiresAt: number; readonly entries: readonly WindowEntry[]; readonly record: Uint8Array };

/**
 * The fleet's spend windows (issue 13, `--windows fleet`, docs/fleet-state.md): the state lives in the table the
 * parent writes, as records this signer authenticates with a MAC under a key derived from the account's private key
 * (deriveWindowKey). Each request is decided on the presented record's entries plus itself (the same arithmetic as
 * the memory windows, window_entries.ts); on success the successor record (`version` + 1, 1 after none) goes back
 * with the signature, and the caller stores it with a conditional write before releasing the signature.
 *
 * Per account this signer keeps the newest state it issued or accepted (across key unloads, like the policy
 * sequence): an older record is refused as stale while that state still has unexpired entries, so a parent cannot
 * replay an older record to a running signer; once they have all expired an older record (or none) hides nothing.
 * A newer record, or one of the same version (another instance won the write), is accepted.
 *
 * @example
 * ```ts
 * const windows = createFleetWindows();
 * const state = await windows.open(account, document.limits, presented, key); // WINDOW_STATE_INVALID / _STALE
 * const reservation = state.reserve(request);                                // POLICY_REFUSED
 * const signature = await sign();
 * const { version, record, expiresAt } = await reservation.issue();
 * ```
 */
export function createFleetWindows(parameters: CreateFleetWindowsParameters = {}): FleetWindows {
  const clock = parameters.now ?? (() => Date.now());
  const maxEntries = parameters.maxEntries ?? MAX_WINDOW_RECORD_ENTRIES;
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 2 || maxEntries > MAX_WINDOW_RECORD_ENTRIES) {
    throw new RangeError(`Cannot create fleet windows: maxEntries must be an integer in 2..${MAX_WINDOW_RECORD_ENTRIES}`);
  }
  const newest = new Map<string, Newest>();

  /** Keeps `state` as the account's newest when it is at least as new, or the one known has expired. */
  function note(key: string, state: Newest, now: number): void {
    const known = newest.get(key);
    if (known === undefined || state.version >= known.version || known.expiresAt * 1000 <= now) newest.set(key, state);
  }

  return {
    async open(account, limits, record, key) {
      const id = account.toLowerCase();
      const presented = record === null ? undefined : await decodeWindowRecord(record, { account, key });
      const version = presented?.version ?? 0;
      const now = clock();
      const known = newest.get(id);
      if (known !== undefined && version < known.version && known.expiresAt * 1000 > now) {
        throw new WindowStateStaleError(account, { version, newest: known.version, record: known.record.slice(), expiresAt: known.expiresAt });
      }
      if (presented !== undefined && record !== null) note(id, { version, expiresAt: presented.expiresAt, entries: presented.entries, record: record.slice() }, now);
      const entries = (presented?.entries ?? []).map(({ at, count, value }) => ({ at, count, value }));

      const decide = (request: PolicyRequest, at: number): WindowCheck => {
        pruneWindowEntries(entries, limits, at);
        return checkWindowEntries(entries, limits, requestValue(request), at);
      };
      return {
        version,
        check: (request) => decide(request, clock()),
        reserve(request) {
          const at = clock();
          const decision = decide(request, at);
          if (!decision.allowed) throw new PolicyRefusedError(decision.rule, decision.reason);
          const next = entries.map(({ at, count, value }) => ({ at, count, value }));
          const last = appendWindowEntry(next, at, requestValue(request), { maxEntries });
          const expiresAt = last.at / 1000 + longestWindow(limits);
          const state = { account, version: version + 1, expiresAt, entries: next };
          return {
            async issue() {
              const bytes = await encodeWindowRecord(state, key);
              note(id, { version: state.version, expiresAt, entries: next, record: bytes.slice() }, clock());
              return { version: state.version, record: bytes, expiresAt };
            },
          };
        },
      };
    },
    usage(account, limits, now = clock()) {
      return windowUsage(newest.get(account.toLowerCase())?.entries ?? [], limits, now);
    },
  };
}
