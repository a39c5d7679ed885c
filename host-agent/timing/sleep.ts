/**
 * Waits `ms` milliseconds, or less if `signal` aborts first (then it resolves, it does not throw: loops check
 * `signal.aborted` themselves). Timers are the only clock the host-agent's loops need, so tests pass short
 * intervals instead of faking time.
 *
 * @example
 * ```ts
 * while (!signal.aborted) { await tick(); await sleep(5000, signal); }
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
