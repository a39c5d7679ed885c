import { computeBackoff, type BackoffOptions } from "../timing/compute_backoff.ts";
import { sleep as defaultSleep } from "../timing/sleep.ts";
import type { ImdsClient } from "./create_imds_client.ts";
import type { ImdsCredentials } from "./parse_imds_credentials.ts";
import { planCredentialRefresh, type PlanCredentialRefreshOptions } from "./plan_credential_refresh.ts";

export type KeepCredentialsFreshOptions = {
  imds: Pick<ImdsClient, "credentials">;
  /** Called with every set fetched (also when IMDS served the same set again); errors are logged, not fatal. */
  onCredentials?: (credentials: ImdsCredentials) => void | Promise<void>;
  /** Stops the loop. */
  signal: AbortSignal;
  refresh?: PlanCredentialRefreshOptions;
  /** Delays between failed fetches. @default { initialMs: 1000, maxMs: 60000 } */
  retry?: BackoffOptions;
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  log?: (event: Record<string, unknown>) => void;
};

export type CredentialSource = {
  /** The newest credentials that have not expired, if any. */
  current(): ImdsCredentials | undefined;
  /** Resolves with valid credentials as soon as there are some (or rejects when the loop stops first). */
  ready(): Promise<ImdsCredentials>;
  /** Resolves when the loop has stopped. */
  readonly stopped: Promise<void>;
};

/**
 * Keeps the instance role's credentials fresh: fetches them from IMDS now, then again ahead of every
 * `Expiration` (`planCredentialRefresh`), retrying failures with backoff, and hands each set to
 * `onCredentials` (the daemon pushes them to the signer with `credentials.put`). Expired credentials from IMDS
 * are refused and retried; the last good set stays current until it expires.
 *
 * @example
 * ```ts
 * const source = keepCredentialsFresh({ imds, signal, onCredentials: (c) => pushCredentials(signer, c, region) });
 * const first = await source.ready();
 * ```
 */
export function keepCredentialsFresh(options: KeepCredentialsFreshOptions): CredentialSource {
  const { imds, signal } = options;
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const log = options.log ?? (() => {});
  let latest: ImdsCredentials | undefined;
  let waiters: { resolve(c: ImdsCredentials): void; reject(e: unknown): void }[] = [];

  const valid = () => (latest && latest.expiration.getTime() > clock() ? latest : undefined);

  const loop = async () => {
    let failures = 0;
    while (!signal.aborted) {
      let delay: number;
      try {
        const credentials = await imds.credentials();
        const rotated = latest?.accessKeyId !== credentials.accessKeyId;
        latest = credentials;
        failures = 0;
        for (const waiter of waiters) waiter.resolve(credentials);
        waiters = [];
        log({ event: "credentials", rotated, expiration: credentials.expiration.toISOString() });
        try {
          await options.onCredentials?.(credentials);
        } catch (error) {
          log({ event: "credentials-push-failed", error: describe(error) });
        }
        delay = planCredentialRefresh(credentials.expiration, clock(), options.refresh);
      } catch (error) {
        failures++;
        delay = computeBackoff(failures, { initialMs: 1000, maxMs: 60_000, ...options.retry });
        log({ event: "credentials-failed", failures, retryInMs: delay, error: describe(error) });
      }
      await sleep(delay, signal);
    }
    for (const waiter of waiters) waiter.reject(new Error("Credential refresh stopped"));
    waiters = [];
  };

  const stopped = loop();
  return {
    current: valid,
    ready() {
      const now = valid();
      if (now) return Promise.resolve(now);
      if (signal.aborted) return Promise.reject(new Error("Credential refresh stopped"));
      return new Promise((resolve, reject) => waiters.push({ resolve, reject }));
    },
    stopped,
  };
}

function describe(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  return typeof e?.code === "string" ? `${e.code}: ${String(e.message)}` : String(e?.message ?? error);
}
