import type { BenchResult } from "./run_bench_node.ts";

export type BenchTarget = { name: string; holds: boolean; detail: string };

/**
 * The targets of issue 7, checked against one run (ratios within the run, so the machine's speed cancels out).
 * Reported, never asserted in tests: timings on a shared machine are noisy.
 *
 * @example
 * ```ts
 * for (const t of benchTargets(result)) console.log(t.holds ? "ok" : "MISS", t.name, t.detail);
 * ```
 */
export function benchTargets(r: BenchResult): BenchTarget[] {
  // Rounded towards failing, so a shown value never looks better than the check: ratios down, margins up.
  const ratio = (a: number, b: number) => `${(Math.floor((a / b) * 100) / 100).toFixed(2)}×`;
  const ms = (x: number) => `${(Math.ceil(x * 100) / 100).toFixed(2)} ms`;
  return [
    {
      name: "signer_sign_per_s_1w ≥ 0.9 × raw_sign_per_s_deno",
      holds: r.signer_sign_per_s_1w >= 0.9 * r.raw_sign_per_s_deno,
      detail: ratio(r.signer_sign_per_s_1w, r.raw_sign_per_s_deno),
    },
    {
      name: "signer_sign_per_s ≥ 1.5 × signer_sign_per_s_1w",
      holds: r.signer_sign_per_s >= 1.5 * r.signer_sign_per_s_1w,
      detail: `${ratio(r.signer_sign_per_s, r.signer_sign_per_s_1w)} with ${r.signer_workers} workers`,
    },
    {
      // Issue 19: the native curve leaves the default signer bounded by parsing, serializing and hashing.
      name: "signer_sign_per_s ≥ 2.5 × raw_sign_per_s_deno",
      holds: r.signer_sign_per_s >= 2.5 * r.raw_sign_per_s_deno,
      detail: `${ratio(r.signer_sign_per_s, r.raw_sign_per_s_deno)} with ${r.signer_workers} workers, curve ${r.signer_curve}${r.raw_sign_per_s_native === null ? " (no native libsecp256k1 here)" : ""}`,
    },
    {
      name: "proxy_sign_p50_ms ≤ signer_sign_p50_ms + 1.0 ms",
      holds: r.proxy_sign_p50_ms <= r.signer_sign_p50_ms + 1.0,
      detail: `+${ms(r.proxy_sign_p50_ms - r.signer_sign_p50_ms)} (a bare Deno proxy: +${ms(r.floors.sign_ms)})`,
    },
    {
      name: "passthrough_p50_ms ≤ direct_p50_ms + 0.3 ms",
      holds: r.passthrough_p50_ms <= r.direct_p50_ms + 0.3,
      detail: `+${ms(r.passthrough_p50_ms - r.direct_p50_ms)} (a bare Deno proxy: +${ms(r.floors.passthrough_ms)})`,
    },
    {
      name: "proxy_send_per_s ≥ 0.85 × anvil_raw_send_per_s",
      holds: r.proxy_send_per_s >= 0.85 * r.anvil_raw_send_per_s,
      detail: `${ratio(r.proxy_send_per_s, r.anvil_raw_send_per_s)}${r.floors.send_ratio_ceiling === null ? "" : ` (this machine's CPU allows at most ${r.floors.send_ratio_ceiling.toFixed(2)}×)`}`,
    },
    {
      name: "every proxy send mined, no nonce gaps",
      holds: r.proxy_send_mined === r.proxy_send_count && r.proxy_send_nonce_gaps === 0,
      detail: `${r.proxy_send_mined}/${r.proxy_send_count} mined, ${r.proxy_send_nonce_gaps} gaps`,
    },
  ];
}
