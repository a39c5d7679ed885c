import type { SignerClient } from "../../signer/mod.ts";
import { computeBackoff, type BackoffOptions } from "../timing/compute_backoff.ts";
import { sleep as defaultSleep } from "../timing/sleep.ts";
import type { EnclaveState, EnclaveStatus } from "./enclave_status.ts";
import type { NitroCli, RunEnclaveParameters } from "./nitro_cli.ts";

/** What loading keys into a fresh (or running) signer returned: `loadAllKeys`'s result. */
export type PrepareSignerResult = { loaded: string[]; failed: { name: string; error: string }[] };

export type SuperviseEnclaveTimings = {
  /** How often the enclave (`describe-enclaves`) and the signer (`describe`) are checked. @default 5000 */
  watchIntervalMs?: number;
  /** How long a started enclave may take until the signer answers. @default 120000 */
  bootTimeoutMs?: number;
  /** How often the signer is polled while it boots. @default 500 */
  bootPollMs?: number;
  /** Consecutive failed `describe` calls after which a running enclave is restarted. @default 3 */
  unhealthyAfter?: number;
  /**
   * A health check (`describe`) not answered within this long has failed, whatever the signer client's own
   * timeout: a hung signer is replaced after about `unhealthyAfter` × (this + `watchIntervalMs`). @default 5000
   */
  healthCheckTimeoutMs?: number;
  /** How often key records are loaded again while ready (picks up keys added elsewhere). 0 = never. @default 300000 */
  keySyncIntervalMs?: number;
  /** An enclave that ran this long resets the restart backoff. @default 300000 */
  stableAfterMs?: number;
  /** Delay between (re)starts. @default { initialMs: 1000, maxMs: 60000 } */
  restartBackoff?: BackoffOptions;
  /** Delay between failed key loads. @default { initialMs: 2000, maxMs: 300000 } */
  keyRetryBackoff?: BackoffOptions;
};

export type SuperviseEnclaveOptions = {
  nitroCli: NitroCli;
  enclave: RunEnclaveParameters;
  /** A client for the signer of a freshly started enclave (closed when that enclave goes). */
  connectSigner: () => SignerClient;
  /** Pushes credentials and loads every key record (`loadAllKeys`); called after each start and on each sync. */
  prepare: (signer: SignerClient) => Promise<PrepareSignerResult>;
  /** Every status change, and a heartbeat on every watch tick. */
  onStatus?: (status: EnclaveStatus) => void | Promise<void>;
  /** The signer of the running enclave once it answers, `undefined` when it goes (for credential pushes). */
  onSigner?: (signer: SignerClient | undefined) => void;
  /** Extra fields merged into every status (e.g. `credentialsExpireAt`). */
  extraStatus?: () => Partial<Pick<EnclaveStatus, "credentialsExpireAt">>;
  /** Stops supervision; the enclave is terminated before the promise resolves. */
  signal: AbortSignal;
  timings?: SuperviseEnclaveTimings;
  clock?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  log?: (event: Record<string, unknown>) => void;
};

/**
 * Runs the enclave and keeps it running (DESIGN §2: the host-agent runs and watches the enclave):
 *
 * 1. terminates leftovers with the same name or CID, then `nitro-cli run-enclave`;
 * 2. waits until the signer answers `describe` (or the boot timeout / the enclave exits);
 * 3. `prepare` (push credentials, load every key record), then reports `ready`;
 * 4. watches: `describe-enclaves` and the signer's `describe` every interval, re-loads keys every sync
 *    interval (and retries failed loads with backoff);
 * 5. when the enclave exits, fails to boot or stops answering, it is terminated and started again after a
 *    backoff that grows with consecutive failures and resets once an enclave ran for `stableAfterMs`.
 *
 * Ready means: the signer answers and the last key load either failed no record or left the signer holding
 * at least one account (one unreadable record must not take a whole fleet out of rotation; it is reported in
 * `keys.failed` and retried). Resolves when `signal` aborts, after terminating the enclave.
 *
 * @example
 * ```ts
 * await superviseEnclave({ nitroCli, enclave, connectSigner, prepare, onStatus: writeStatus, signal });
 * ```
 */
export async function superviseEnclave(options: SuperviseEnclaveOptions): Promise<void> {
  const { nitroCli, enclave, signal } = options;
  const t = options.timings ?? {};
  const watchIntervalMs = t.watchIntervalMs ?? 5000;
  const bootTimeoutMs = t.bootTimeoutMs ?? 120_000;
  const bootPollMs = t.bootPollMs ?? 500;
  const unhealthyAfter = t.unhealthyAfter ?? 3;
  const healthCheckTimeoutMs = t.healthCheckTimeoutMs ?? 5000;
  const keySyncIntervalMs = t.keySyncIntervalMs ?? 300_000;
  const stableAfterMs = t.stableAfterMs ?? 300_000;
  const restartBackoff = { initialMs: 1000, maxMs: 60_000, ...t.restartBackoff };
  const keyRetryBackoff = { initialMs: 2000, maxMs: 300_000, ...t.keyRetryBackoff };
  const clock = options.clock ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const log = options.log ?? (() => {});
  const iso = (ms = clock()) => new Date(ms).toISOString();

  let status: EnclaveStatus = {
    service: "host-agent",
    state: "starting",
    ready: false,
    since: iso(),
    updatedAt: iso(),
    refreshEveryMs: watchIntervalMs,
    enclave: null,
    restarts: 0,
    keys: null,
    credentialsExpireAt: null,
    lastError: null,
  };
  const report = async (patch: Partial<Omit<EnclaveStatus, "service">> = {}) => {
    const now = iso();
    const changed = patch.state !== undefined && patch.state !== status.state;
    status = { ...status, ...options.extraStatus?.(), ...patch, updatedAt: now, ...(changed ? { since: now } : {}) };
    try {
      await options.onStatus?.(status);
    } catch (error) {
      log({ event: "status-write-failed", error: message(error) });
    }
  };
  const setState = (state: EnclaveState, patch: Partial<Omit<EnclaveStatus, "service">> = {}) => report({ state, ...patch });

  /** true/false from describe-enclaves, undefined when nitro-cli itself failed (then nothing is concluded). */
  const isRunning = async (id: string): Promise<boolean | undefined> => {
    try {
      const found = (await nitroCli.describeEnclaves()).find((e) => e.EnclaveID === id);
      return found !== undefined && found.State === "RUNNING";
    } catch (error) {
      log({ event: "describe-enclaves-failed", error: message(error) });
      return undefined;
    }
  };
  const terminate = async (id: string) => {
    try {
      await nitroCli.terminateEnclave(id);
      log({ event: "enclave-terminated", enclaveId: id });
    } catch (error) {
      log({ event: "terminate-failed", enclaveId: id, error: message(error) });
    }
  };

  /** One enclave's life after `run-enclave`: boot, prepare, watch. Returns why it ended. */
  const live = async (id: string, signer: SignerClient): Promise<string> => {
    const deadline = clock() + bootTimeoutMs;
    while (true) {
      if (signal.aborted) return "stopped";
      try {
        await signer.request("describe", {});
        break;
      } catch { /* not up yet */ }
      if (clock() >= deadline) return `the signer did not answer within ${bootTimeoutMs} ms of the start`;
      if ((await isRunning(id)) === false) return "the enclave exited while booting";
      await sleep(bootPollMs, signal);
    }
    log({ event: "signer-up", enclaveId: id });
    options.onSigner?.(signer);
    await setState("loading-keys");

    let nextSync = clock();
    let keyFailures = 0;
    let unhealthy = 0;
    let retryPending = true; // the first load after a start is always due
    /** One `describe`, bounded by healthCheckTimeoutMs; a failure is counted in `unhealthy`. */
    const healthCheck = async (): Promise<boolean> => {
      try {
        await withTimeout(signer.request("describe", {}), healthCheckTimeoutMs);
        unhealthy = 0;
        return true;
      } catch (error) {
        unhealthy++;
        log({ event: "signer-unhealthy", count: unhealthy, error: message(error) });
        return false;
      }
    };
    while (!signal.aborted) {
      const syncDue = (retryPending || keySyncIntervalMs > 0) && clock() >= nextSync;
      // A sync on a signer that stopped answering would wait out the client's long timeout on every call:
      // a health check first, which a hung signer fails in healthCheckTimeoutMs.
      if (syncDue && !(await healthCheck()) && unhealthy >= unhealthyAfter) {
        return `the signer did not answer ${unhealthy} health checks`;
      }
      if (syncDue && unhealthy === 0) {
        try {
          const result = await options.prepare(signer);
          const { accounts } = await signer.request("describe", {});
          const failed = result.failed.map(({ name, error }) => ({ name, error }));
          const ready = failed.length === 0 || accounts > 0;
          keyFailures = failed.length === 0 ? 0 : keyFailures + 1;
          retryPending = failed.length > 0;
          if (failed.length > 0) log({ event: "keys-failed", failed });
          log({ event: "keys-loaded", loaded: result.loaded.length, failed: failed.length, accounts });
          await setState(ready ? "ready" : "loading-keys", {
            ready,
            keys: { accounts, failed, at: iso() },
            lastError: failed.length === 0 ? null : `${failed.length} key record(s) failed to load: ${failed[0]!.error}`,
          });
          nextSync = clock() + (retryPending ? computeBackoff(keyFailures, keyRetryBackoff) : keySyncIntervalMs);
        } catch (error) {
          keyFailures++;
          retryPending = true;
          const retryInMs = computeBackoff(keyFailures, keyRetryBackoff);
          log({ event: "keys-load-failed", error: message(error), retryInMs });
          await report({ lastError: `key load failed: ${message(error)}` });
          nextSync = clock() + retryInMs;
        }
      }
      const untilSync = retryPending || keySyncIntervalMs > 0 ? nextSync - clock() : watchIntervalMs;
      await sleep(Math.max(0, Math.min(watchIntervalMs, untilSync)), signal);
      if (signal.aborted) break;
      if ((await isRunning(id)) === false) return "the enclave exited";
      if (!(await healthCheck()) && unhealthy >= unhealthyAfter) return `the signer did not answer ${unhealthy} health checks`;
      await report();
    }
    return "stopped";
  };

  for (const leftover of await describeQuietly()) {
    if (leftover.EnclaveName === enclave.name || leftover.EnclaveCID === enclave.cid) {
      log({ event: "leftover-enclave", enclaveId: leftover.EnclaveID, state: leftover.State });
      await terminate(leftover.EnclaveID);
    }
  }

  let failures = 0;
  let restarts = 0;
  while (!signal.aborted) {
    await setState("starting", { ready: false, enclave: null, keys: null });
    let reason: string;
    let startedAt = clock();
    try {
      const info = await nitroCli.runEnclave(enclave);
      startedAt = clock();
      log({ event: "enclave-started", enclaveId: info.EnclaveID, cid: info.EnclaveCID, cpus: info.NumberOfCPUs, memoryMib: info.MemoryMiB });
      await setState("booting", { enclave: { id: info.EnclaveID, cid: info.EnclaveCID, name: info.EnclaveName || enclave.name, startedAt: iso(startedAt) } });
      const signer = options.connectSigner();
      try {
        reason = await live(info.EnclaveID, signer);
      } finally {
        options.onSigner?.(undefined);
        signer.close();
        if (signal.aborted || (await isRunning(info.EnclaveID)) !== false) await terminate(info.EnclaveID);
      }
    } catch (error) {
      reason = `run-enclave failed: ${message(error)}`;
    }
    if (signal.aborted) break;
    restarts++;
    failures = clock() - startedAt >= stableAfterMs ? 1 : failures + 1;
    const delay = computeBackoff(failures, restartBackoff);
    log({ event: "enclave-down", reason, restartInMs: delay, restarts });
    await setState("restarting", { ready: false, restarts, lastError: reason });
    await sleep(delay, signal);
  }
  await setState("stopped", { ready: false });

  async function describeQuietly() {
    try {
      return await nitroCli.describeEnclaves();
    } catch (error) {
      log({ event: "describe-enclaves-failed", error: message(error) });
      return [];
    }
  }
}

function message(error: unknown): string {
  const e = error as { code?: unknown; shortMessage?: unknown; message?: unknown };
  const text = typeof e?.shortMessage === "string" ? e.shortMessage : String(e?.message ?? error);
  return (typeof e?.code === "string" && !text.startsWith(e.code) ? `${e.code}: ${text}` : text).split("\n")[0]!;
}

/** `promise`, or a rejection once `ms` passed without it settling. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
