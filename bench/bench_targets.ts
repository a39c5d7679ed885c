import type { BenchResult } from "./run_bench_node.ts";

export type BenchTarget = { name: string; holds: boolean; detail: string };

// Rounded towards failing, so a shown value never looks better than the check: ratios down, margins up.
const ratio = (a: number, b: number) => `${(Math.floor((a / b) * 100) / 100).toFixed(2)}×`;
const ms = (x: number) => `${(Math.ceil(x * 100) / 100).toFixed(2)} ms`;
const up = (x: number) => (Math.ceil(x * 100) / 100).toFixed(2);
/** A difference with its sign, to the hundredth of a millisecond (not a margin, so not rounded towards failing). */
const signed = (x: number) => `${x < 0 ? "−" : "+"}${Math.abs(x).toFixed(2)} ms`;
/** A margin over a floor, with its sign (−0.01 ms: under the floor), rounded up like `ms`. */
const over = (x: number) => signed(Math.ceil(x * 100) / 100);

/**
 * The targets of issues 7, 14 and 19, checked against one run (ratios within the run, so the machine's speed cancels out).
 * Reported, never asserted in tests: timings on a shared machine are noisy.
 *
 * @example
 * ```ts
 * for (const t of benchTargets(result)) console.log(t.holds ? "ok" : "MISS", t.name, t.detail);
 * ```
 */
export function benchTargets(r: BenchResult): BenchTarget[] {
  return [
    {
      name: "signer_sign_per_s_1w ≥ 0.9 × raw_sign_per_s_deno",
      holds: r.signer_sign_per_s_1w >= 0.9 * r.raw_sign_per_s_deno,
      detail: ratio(r.signer_sign_per_s_1w, r.raw_sign_per_s_deno),
    },
    {
      name: "signer_sign_per_s ≥ 1.5 × signer_sign_per_s_1w",
      holds: r.signer_sign_per_s >= 1.5 * r.signer_sign_per_s_1w,
      detail: `${ratio(r.signer_sign_per_s, r.signer_sign_per_s_1w)} with ${r.signer_workers} workers${workersCeiling(r)}`,
    },
    {
      // Issue 19: the native curve leaves the default signer bounded by parsing, serializing and hashing.
      name: "signer_sign_per_s ≥ 2.5 × raw_sign_per_s_deno",
      holds: r.signer_sign_per_s >= 2.5 * r.raw_sign_per_s_deno,
      detail: `${ratio(r.signer_sign_per_s, r.raw_sign_per_s_deno)} with ${r.signer_workers} workers, curve ${r.signer_curve}${r.raw_sign_per_s_native === null ? " (no native libsecp256k1 here)" : ""}`,
    },
    {
      // Issue 14: the rpc-proxy's own part, over what a bare Deno proxy in front of the same signer adds (its floor).
      name: "proxy_sign_p50_ms ≤ the bare proxy's signing p50 + 0.3 ms",
      holds: r.proxy_sign_p50_ms - r.signer_sign_p50_ms <= r.floors.sign_ms + 0.3,
      detail: `${over(r.proxy_sign_p50_ms - r.signer_sign_p50_ms - r.floors.sign_ms)} (over the signer: +${ms(r.proxy_sign_p50_ms - r.signer_sign_p50_ms)}, the bare proxy +${ms(r.floors.sign_ms)})`,
    },
    {
      name: "passthrough_p50_ms ≤ the bare proxy's passthrough p50 + 0.05 ms",
      holds: r.passthrough_p50_ms - r.direct_p50_ms <= r.floors.passthrough_ms + 0.05,
      detail: `${over(r.passthrough_p50_ms - r.direct_p50_ms - r.floors.passthrough_ms)} (over direct: +${ms(r.passthrough_p50_ms - r.direct_p50_ms)}, the bare proxy +${ms(r.floors.passthrough_ms)}; a second bare proxy ${signed(r.floors.passthrough_noise_ms)} over the first${r.floors.passthrough_pinned ? "" : "; not pinned to separate vCPUs"})`,
    },
    {
      // Issue 14: what a team would do instead, the key in the application and viem's local account.
      name: "proxy_send_per_s ≥ 1.0 × viem_local_send_per_s, every send mined, no nonce gaps",
      holds: r.proxy_send_per_s >= r.viem_local_send_per_s && r.proxy_send_mined === r.proxy_send_count && r.proxy_send_nonce_gaps === 0
        && r.viem_local_send_mined === r.viem_local_send_count && r.viem_local_send_nonce_gaps === 0,
      detail: `${ratio(r.proxy_send_per_s, r.viem_local_send_per_s)} (ethers' Wallet: ${ratio(r.ethers_wallet_send_per_s, r.viem_local_send_per_s)}; the proxy over raw sends to Anvil: ${ratio(r.proxy_send_per_s, r.anvil_raw_send_per_s)})${r.viem_local_send_mined === r.viem_local_send_count && r.viem_local_send_nonce_gaps === 0 ? "" : `; Anvil mined only ${r.viem_local_send_mined}/${r.viem_local_send_count} of viem's sends (${r.viem_local_send_nonce_gaps} nonce gaps), so the comparison does not count`}`,
    },
    {
      name: "node_calls_per_send ≤ 1.5 (32 callers)",
      holds: r.node_calls_per_send <= 1.5,
      detail: `${up(r.node_calls_per_send)} (viem's local account: ${up(r.viem_node_calls_per_send)}; Anvil's automine made ${up(r.node_calls_sends.blocks_per_send)} blocks per send, each read once, so the floor of a watch by block was ${up(1 + r.node_calls_sends.blocks_per_send)}; on a chain with ${r.node_calls_sends.block_time_s} s blocks: ${up(r.node_calls_per_send_block_time)}, viem ${up(r.viem_node_calls_per_send_block_time)})`,
    },
    {
      // On both chains: Anvil's automine, and blocks on their own clock as on every real chain.
      name: "node_calls_per_send_1_caller ≤ viem_node_calls_per_send_1_caller, with automine and with a block time",
      holds: r.node_calls_per_send_1_caller <= r.viem_node_calls_per_send_1_caller
        && r.node_calls_per_send_block_time_1_caller <= r.viem_node_calls_per_send_block_time_1_caller,
      detail: `${up(r.node_calls_per_send_1_caller)} vs ${up(r.viem_node_calls_per_send_1_caller)}; on a chain with ${r.node_calls_sends.block_time_s} s blocks ${up(r.node_calls_per_send_block_time_1_caller)} vs ${up(r.viem_node_calls_per_send_block_time_1_caller)}`,
    },
    {
      name: "every proxy send mined, no nonce gaps",
      holds: r.proxy_send_mined === r.proxy_send_count && r.proxy_send_nonce_gaps === 0 && r.node_calls_sends.all_mined,
      detail: `${r.proxy_send_mined}/${r.proxy_send_count} mined, ${r.proxy_send_nonce_gaps} gaps; the counted runs ${r.node_calls_sends.all_mined ? "all mined, no gaps" : "NOT all mined"}`,
    },
  ];
}

/** What the machine allows the worker ratio, from the vCPUs the default signer's run kept busy ("" without /proc). */
function workersCeiling(r: BenchResult): string {
  const cores = r.signer_cores_used.default_workers;
  if (!cores || r.floors.workers_ratio_ceiling === null || r.floors.workers_ratio_ceiling_signer_alone === null) return "";
  return `; this machine allows at most ${ratio(r.floors.workers_ratio_ceiling, 1)}: the default run kept ${up(cores.signer + cores.load_generator)} of its ${r.machine.cpus} vCPUs busy (the signer ${up(cores.signer)}, the load generator ${up(cores.load_generator)}), and all ${r.machine.cpus} at its CPU per signature would give that; the signer alone on them, as in an enclave, ${ratio(r.floors.workers_ratio_ceiling_signer_alone, 1)}`;
}
