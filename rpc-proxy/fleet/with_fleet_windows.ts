import { ErrorCode, type SignerClient } from "../../signer/mod.ts";
import { FleetStateBusyError } from "./fleet_state_errors.ts";
import type { StoredWindow, WindowStore } from "./create_window_store.ts";

/** Why a governed request was asked again (metrics). */
export type WindowRetryReason = "required" | "stale" | "conflict";

export type WithFleetWindowsOptions = {
  readonly windows: WindowStore;
  /** Attempts of one request against other instances' writes and stale records. @default 16 */
  readonly maxAttempts?: number;
  /** A request asked again, and why. */
  readonly onRetry?: (reason: WindowRetryReason) => void;
  /** A window record's conditional write lost to another instance (its signature was discarded). */
  readonly onWriteConflict?: () => void;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
};

/** The signer methods the fleet windows govern (docs/fleet-state.md). */
const GOVERNED = new Set(["sign.transaction", "sign.message", "sign.typedData", "sign.authorization", "policy.check"]);

type Params = Record<string, unknown>;

/**
 * The same signer client, with the fleet's spend windows (issue 13, docs/fleet-state.md) around every `sign.*` and
 * `policy.check` the proxy makes. For an account the signer said needs it (`WINDOW_STATE_REQUIRED`, remembered),
 * the request carries `window: { record }`, the record as the table holds it (consistent read; null when absent).
 * The record the signer returns is stored with a conditional write (`version` = the presented one, or the item
 * absent), and the result is released only once that write succeeded; a lost write discards the signature, and
 * the request is asked again on a fresh read, with jittered back-off, up to `maxAttempts` (then
 * `FLEET_STATE_BUSY`). `WINDOW_STATE_STALE` (the table lags what this signer issued) stores the newer record the
 * signer names if the table still holds the presented one, then asks again. The table unreachable is
 * `FLEET_STATE_UNAVAILABLE`: never a signature without a stored record. Requests for one governed account are
 * asked one at a time by this instance (they would only conflict with each other).
 *
 * @example
 * ```ts
 * const signer = withFleetWindows(createSignerClient(connect), { windows: createWindowStore(table) });
 * const { raw } = await signer.request("sign.transaction", { address, transaction }); // record stored first
 * ```
 */
export function withFleetWindows(signer: SignerClient, options: WithFleetWindowsOptions): SignerClient {
  const { windows } = options;
  const maxAttempts = options.maxAttempts ?? 16;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const random = options.random ?? Math.random;
  /** Accounts whose requests need their window record (lowercase). */
  const governed = new Set<string>();
  /** Per governed account, the tail of its requests in this instance. */
  const queues = new Map<string, Promise<unknown>>();

  const one = async (method: string, params: Params, key: string, queued: boolean): Promise<unknown> => {
    let stored: StoredWindow | null | undefined;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const needs = governed.has(key);
      if (needs && stored === undefined) stored = await windows.read(key);
      let result: unknown;
      try {
        result = await signer.call(method, needs ? { ...params, window: { record: stored?.record ?? null } } : params);
      } catch (error) {
        const code = (error as { code?: string })?.code;
        if (code === ErrorCode.windowStateRequired && !needs) {
          governed.add(key);
          options.onRetry?.("required");
          if (queued) continue;
          return serialized(key, () => one(method, params, key, true));
        }
        if (code === ErrorCode.windowStateStale && needs) {
          options.onRetry?.("stale");
          await repair(key, (error as { data?: unknown }).data, stored ?? null);
          stored = undefined;
          await backOff(attempt);
          continue;
        }
        throw error;
      }
      const window = (result as { window?: StoredWindow } | undefined)?.window;
      if (!window) {
        // Signed without a window: the account's policy has no limits (any more); policy.check never returns one.
        if (needs && method !== "policy.check") governed.delete(key);
        return result;
      }
      if (await windows.write(key, window, stored?.version ?? null)) {
        const { window: _stored, ...released } = result as Params;
        return released;
      }
      options.onWriteConflict?.();
      options.onRetry?.("conflict");
      stored = undefined;
      await backOff(attempt);
    }
    throw new FleetStateBusyError(`window#${key}`, maxAttempts);
  };

  /** The signer issued a newer record than the table holds (a write lost to a crash or an outage): store it. */
  const repair = async (key: string, data: unknown, presented: StoredWindow | null) => {
    const d = data as { newest?: unknown; record?: unknown; expiresAt?: unknown } | undefined;
    if (!(d?.record instanceof Uint8Array) || typeof d.newest !== "number" || typeof d.expiresAt !== "number") return;
    if (d.newest <= (presented?.version ?? 0)) return;
    await windows.write(key, { version: d.newest, record: d.record, expiresAt: d.expiresAt }, presented?.version ?? null);
  };

  const backOff = (attempt: number) => sleep(Math.min(250, 5 * 2 ** attempt) * (0.5 + random()));

  const serialized = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const result = (queues.get(key) ?? Promise.resolve()).then(run, run);
    const tail = result.catch(() => undefined);
    queues.set(key, tail);
    void tail.then(() => queues.get(key) === tail && queues.delete(key));
    return result;
  };

  const governedCall = (method: string, params: unknown): Promise<unknown> => {
    const p = params as Params | undefined;
    const address = method === "policy.check" ? (p?.["params"] as Params | undefined)?.["address"] : p?.["address"];
    if (!GOVERNED.has(method) || typeof address !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(address)) return signer.call(method, params);
    const key = address.toLowerCase();
    return governed.has(key) ? serialized(key, () => one(method, p!, key, true)) : one(method, p!, key, false);
  };

  return {
    request: (method, params) => governedCall(method, params) as never,
    call: (method, params) => governedCall(method, params),
    close: () => signer.close(),
  };
}
