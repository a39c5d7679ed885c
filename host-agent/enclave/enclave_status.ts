/**
 * What the host-agent reports about the enclave, in its status file (`--status-file`, default
 * `/run/nitro-signer/status.json`): the contract with whoever decides readiness (the rpc-proxy's `/readyz`, the
 * bootstrap script, an operator running `host-agent status`). Read it with `isEnclaveReady()`.
 */

/**
 * - `starting`: `nitro-cli run-enclave` is running.
 * - `booting`: the enclave runs; waiting for the signer to answer `describe`.
 * - `loading-keys`: the signer answers; credentials are pushed and key records loaded (or retried).
 * - `ready`: the signer holds its keys (see `EnclaveStatus.ready`).
 * - `restarting`: the enclave exited, did not boot, or stopped answering; waiting out the backoff.
 * - `stopped`: the host-agent is shutting down (the enclave is terminated with it).
 */
export type EnclaveState = "starting" | "booting" | "loading-keys" | "ready" | "restarting" | "stopped";

export type EnclaveStatus = {
  readonly service: "host-agent";
  readonly state: EnclaveState;
  /** True only while the enclave runs, answers, and the last key load left it able to sign. */
  readonly ready: boolean;
  /** When `state` last changed (ISO 8601). */
  readonly since: string;
  /** When this status was written (ISO 8601); the writer refreshes it at least every `refreshEveryMs`. */
  readonly updatedAt: string;
  readonly refreshEveryMs: number;
  readonly enclave: { readonly id: string; readonly cid: number; readonly name: string; readonly startedAt: string } | null;
  /** (Re)starts after the first start. */
  readonly restarts: number;
  /** Result of the last key load: accounts the signer holds, and records that failed (name and error code). */
  readonly keys: { readonly accounts: number; readonly failed: readonly { readonly name: string; readonly error: string }[]; readonly at: string } | null;
  /** Expiry of the role credentials last pushed to the signer. */
  readonly credentialsExpireAt: string | null;
  /** The last thing that went wrong (one line, no secrets), or null. */
  readonly lastError: string | null;
};

/**
 * Whether a status read from the status file says the enclave can sign now: `ready` is true and the writer
 * refreshed it recently (within three refresh periods, so a hung or killed host-agent reads as not ready).
 *
 * @example
 * ```ts
 * const ready = isEnclaveReady(JSON.parse(await readFile(statusFile, "utf8")), Date.now());
 * ```
 */
export function isEnclaveReady(status: unknown, now: number): boolean {
  if (typeof status !== "object" || status === null) return false;
  const s = status as Partial<EnclaveStatus>;
  if (s.ready !== true || typeof s.updatedAt !== "string" || typeof s.refreshEveryMs !== "number") return false;
  const age = now - Date.parse(s.updatedAt);
  return Number.isFinite(age) && age <= 3 * s.refreshEveryMs;
}
