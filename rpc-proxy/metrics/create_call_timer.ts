/**
 * A wrapper that times each call and records it with its label and whether it succeeded; the error, if any,
 * is rethrown unchanged. Shared by the signer and upstream instrumentation.
 *
 * @example
 * ```ts
 * const timed = createCallTimer((method, ms, ok) => metrics.signerCall(method, ms, ok));
 * const result = await timed("sign.transaction", () => signer.request("sign.transaction", params));
 * ```
 */
export function createCallTimer(
  record: (label: string, durationMs: number, ok: boolean) => void,
  now: () => number = () => performance.now(),
): <T>(label: string, call: () => Promise<T>) => Promise<T> {
  return async (label, call) => {
    const started = now();
    try {
      const result = await call();
      record(label, now() - started, true);
      return result;
    } catch (error) {
      record(label, now() - started, false);
      throw error;
    }
  };
}
