import type { Hex } from "viem";
import { signTransaction } from "viem/accounts";

export type MeasureRawSignOptions = {
  /** Measured time. */
  durationMs: number;
  /** Unmeasured time first (JIT). @default durationMs / 5 */
  warmupMs?: number;
  privateKey: Hex;
};

/** The EIP-1559 transfer every signing measurement signs (the nonce varies). */
export const BENCH_TRANSFER = {
  chainId: 31337,
  gas: 21000n,
  maxFeePerGas: 10_000_000_000n,
  maxPriorityFeePerGas: 1_000_000_000n,
  to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  value: 1n,
} as const;

/**
 * Raw signing speed of the machine in this runtime: viem's `signTransaction` of an EIP-1559 transfer,
 * in-process, one core, one after the other (the baseline the signer is measured against). Web-standard code:
 * it runs the same under Node and Deno.
 *
 * @example
 * ```ts
 * const perSecond = await measureRawSign({ durationMs: 3000, privateKey });
 * ```
 */
export async function measureRawSign(options: MeasureRawSignOptions): Promise<number> {
  let nonce = 0;
  const run = async (ms: number) => {
    const started = performance.now();
    let count = 0;
    while (performance.now() - started < ms) {
      for (let k = 0; k < 20; k++, count++) {
        await signTransaction({ privateKey: options.privateKey, transaction: { ...BENCH_TRANSFER, type: "eip1559", nonce: nonce++ } });
      }
    }
    return count / ((performance.now() - started) / 1000);
  };
  await run(options.warmupMs ?? options.durationMs / 5);
  return run(options.durationMs);
}
