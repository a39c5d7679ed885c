import { percentile } from "./percentile.ts";

/** One timed call: sends request number `i`, waits for its answer, throws on a wrong one. */
export type LatencyCall = (i: number) => Promise<void>;

export type Latency = { p50: number; p99: number };

export type PairedLatencyOptions = {
  /** Pairs of each kind to measure, unless `durationMs` runs out first. */
  samples: number;
  /** Checked between rounds (a block of each kind), so every kind ends with as many pairs as the others. */
  durationMs: number;
  /** Untimed pairs of each kind first. @default 50 */
  warmup?: number;
  /** Consecutive pairs of one kind before the next kind's turn. @default 100 */
  blockSize?: number;
};

/**
 * Latency at low load of several pairs of calls, each pair `[a, b]` one request at a time with its two sides
 * alternating request by request (which goes first alternates too), so that noise from other processes hits
 * both sides alike and their difference is what `a` adds over `b`. With several pairs (say the proxy against
 * the signer, and a reference against the signer), the pairs take turns in blocks of `blockSize` over the
 * whole run, so a change in the machine's load hits every pair alike as well. Returns each pair's two
 * percentiles in milliseconds, in order.
 *
 * @example
 * ```ts
 * const [[proxy, signer]] = await pairedLatency([[viaProxy, direct]], { samples: 2000, durationMs: 5000 });
 * ```
 */
export async function pairedLatency(
  pairs: readonly (readonly [LatencyCall, LatencyCall])[],
  options: PairedLatencyOptions,
): Promise<[Latency, Latency][]> {
  const times = pairs.map(() => [[] as number[], [] as number[]] as const);
  const timed = async (call: LatencyCall, i: number) => {
    const started = performance.now();
    await call(i);
    return performance.now() - started;
  };
  let i = 0;
  for (const [a, b] of pairs) {
    for (let w = 0; w < (options.warmup ?? 50); w++, i++) {
      await a(i);
      await b(i);
    }
  }
  const blockSize = options.blockSize ?? 100;
  const end = performance.now() + options.durationMs;
  for (let taken = 0; taken < options.samples && (taken === 0 || performance.now() < end);) {
    const block = Math.min(blockSize, options.samples - taken);
    for (const [k, [a, b]] of pairs.entries()) {
      for (let n = 0; n < block; n++, i++) {
        const [ta, tb] = times[k]!;
        if (n % 2 === 0) {
          ta.push(await timed(a, i));
          tb.push(await timed(b, i));
        } else {
          tb.push(await timed(b, i));
          ta.push(await timed(a, i));
        }
      }
    }
    taken += block;
  }
  const stats = (s: number[]): Latency => ({ p50: percentile(s, 50), p99: percentile(s, 99) });
  return times.map(([ta, tb]) => [stats(ta), stats(tb)]);
}
