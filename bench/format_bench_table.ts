import { benchTargets } from "./bench_targets.ts";
import type { BenchResult } from "./run_bench_node.ts";

/**
 * The human summary of a run: the machine, each metric with its unit, the secp256k1 comparison and the
 * targets (ok / MISS with the measured ratio or margin). Markdown, so it can go into the README as is.
 *
 * @example
 * ```ts
 * process.stdout.write(formatBenchTable(await runBench()));
 * ```
 */
export function formatBenchTable(r: BenchResult): string {
  const rate = (x: number) => `${Math.round(x).toLocaleString("en-US")} /s`;
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  const calls = (x: number) => x.toFixed(2);
  const byMethod = (name: string, c: Record<string, number>) =>
    `| ${name} | ${Object.entries(c).sort(([, a], [, b]) => b - a).map(([method, n]) => `${method} ${n.toFixed(2)}`).join(", ")} |`;
  const forced = (blocks: number) => (blocks > 0 ? ` (${blocks} block${blocks > 1 ? "s" : ""} forced after the run: Anvil's automine left some ready)` : "");
  const rows: [string, string, string][] = [
    ["raw_sign_per_s", rate(r.raw_sign_per_s), `viem signTransaction, in-process, 1 core, Node (best of ${r.rounds} round${r.rounds === 1 ? "" : "s"})`],
    ["raw_sign_per_s_deno", rate(r.raw_sign_per_s_deno), "the same under Deno"],
    ["signer_sign_per_s_1w", rate(r.signer_sign_per_s_1w), "sign.transaction over a Unix socket, 1 signing worker, 128 in flight"],
    ["policy_sign_per_s", rate(r.policy_sign_per_s), `the same 1-worker signer, a governed key under a ${r.policy_rules}-rule policy with 2 limits, the request allowed by its last rule: ${r.policy_sign_ratio.toFixed(2)}× signer_sign_per_s_1w`],
    ["signer_sign_per_s", rate(r.signer_sign_per_s), `the same, default workers (${r.signer_workers}), curve ${r.signer_curve}`],
    ["signer_sign_p50_ms", ms(r.signer_sign_p50_ms), "one request at a time (alternating with the proxy's)"],
    ["signer_sign_p99_ms", ms(r.signer_sign_p99_ms), ""],
    ["proxy_sign_per_s", rate(r.proxy_sign_per_s), `eth_signTransaction through proxy + signer, ${r.send_clients} clients`],
    ["proxy_sign_p50_ms", ms(r.proxy_sign_p50_ms), "one request at a time (alternating with the signer's)"],
    ["proxy_sign_p99_ms", ms(r.proxy_sign_p99_ms), ""],
    ["anvil_raw_send_per_s", rate(r.anvil_raw_send_per_s), `eth_sendRawTransaction straight to Anvil, ${r.send_clients} clients, ${r.anvil_raw_send_mined}/${r.anvil_raw_send_count} mined${forced(r.anvil_raw_send_forced_blocks)}${r.anvil_raw_send_resent > 0 ? `, ${r.anvil_raw_send_resent} sent again after Anvil left them queued` : ""}`],
    ["proxy_send_per_s", rate(r.proxy_send_per_s), `eth_sendTransaction {to, value} through the proxy, ${r.send_clients} clients, ${r.proxy_send_mined}/${r.proxy_send_count} mined${forced(r.proxy_send_forced_blocks)}, ${r.proxy_send_nonce_gaps} nonce gaps`],
    ["proxy_send_per_s_many_accounts", rate(r.proxy_send_per_s_many_accounts), `for context: the same from ${r.send_clients} accounts (one per client, so each group holds one send), ${r.proxy_send_many_accounts_mined}/${r.proxy_send_many_accounts_count} mined, ${r.proxy_send_many_accounts_nonce_gaps} nonce gaps`],
    ["viem_local_send_per_s", rate(r.viem_local_send_per_s), `what a team would do instead: viem's local account (privateKeyToAccount with a nonceManager) sending {to, value} straight to Anvil, ${r.send_clients} callers, one account, ${r.viem_local_send_mined}/${r.viem_local_send_count} mined, ${r.viem_local_send_nonce_gaps} nonce gaps`],
    ["ethers_wallet_send_per_s", rate(r.ethers_wallet_send_per_s), `report only: ethers v6 Wallet + NonceManager, the same, ${r.ethers_wallet_send_mined}/${r.ethers_wallet_send_count} mined`],
    ["node_calls_per_send", calls(r.node_calls_per_send), `node calls (batch entries one by one) per eth_sendTransaction through the proxy, ${r.send_clients} callers, counted by a middlebox in front of Anvil`],
    ["node_calls_per_send_1_caller", calls(r.node_calls_per_send_1_caller), "the same, one caller"],
    ["viem_node_calls_per_send", calls(r.viem_node_calls_per_send), `viem's local account through the same middlebox, ${r.send_clients} callers`],
    ["viem_node_calls_per_send_1_caller", calls(r.viem_node_calls_per_send_1_caller), "the same, one caller"],
    ["node_calls_per_send_block_time", calls(r.node_calls_per_send_block_time), `the proxy's ${r.send_clients} callers again, on an Anvil that mines a block every ${r.node_calls_sends.block_time_s} s instead of at every transaction (${rate(r.send_per_s_block_time.proxy)})`],
    ["node_calls_per_send_block_time_1_caller", calls(r.node_calls_per_send_block_time_1_caller), `the same, one caller (${rate(r.send_per_s_block_time.proxy_1_caller)}: each waits for its verdict, a short grace)`],
    ["viem_node_calls_per_send_block_time", calls(r.viem_node_calls_per_send_block_time), `viem's local account on that chain, ${r.send_clients} callers (${rate(r.send_per_s_block_time.viem)})`],
    ["viem_node_calls_per_send_block_time_1_caller", calls(r.viem_node_calls_per_send_block_time_1_caller), `the same, one caller (${rate(r.send_per_s_block_time.viem_1_caller)})`],
    ["passthrough_p50_ms", ms(r.passthrough_p50_ms), "eth_blockNumber through the proxy (alternating with direct)"],
    ["direct_p50_ms", ms(r.direct_p50_ms), "eth_blockNumber straight to Anvil"],
  ];
  const curve: [string, string, string][] = [
    ["Node", rate(r.curve_noble_per_s), `${rate(r.curve_wasm_per_s)} (${(r.curve_wasm_per_s / r.curve_noble_per_s).toFixed(2)}×)${r.curve_identical ? "" : " NOT IDENTICAL"}`],
    ["Deno", rate(r.curve_noble_per_s_deno), `${rate(r.curve_wasm_per_s_deno)} (${(r.curve_wasm_per_s_deno / r.curve_noble_per_s_deno).toFixed(2)}×)${r.curve_identical_deno ? "" : " NOT IDENTICAL"}`],
  ];
  const native = r.raw_sign_per_s_native === null
    ? "not installed (Debian's libsecp256k1-1)"
    : `${rate(r.raw_sign_per_s_native)} (${(r.raw_sign_per_s_native / r.curve_wasm_per_s_deno).toFixed(2)}× WebAssembly)`;
  const cpuRow = (name: string, cpu: Record<string, number>) => {
    const parts = Object.entries(cpu).map(([process, ms]) => `${process} ${ms.toFixed(2)}`);
    const total = Object.values(cpu).reduce((a, b) => a + b, 0);
    return `| ${name} | ${parts.join(", ")} | ${total.toFixed(2)} |`;
  };
  const m = r.machine;
  const lines = [
    `Machine: ${m.cpus} vCPU ${m.cpu_model}, ${m.memory_gib} GiB; Node ${m.node}, Deno ${m.deno}; load average (1 min) ${m.load_1m_start.toFixed(2)} at start, ${m.load_1m_end.toFixed(2)} at end; ${r.duration_s.toFixed(0)} s${r.quick ? " (quick: smoke run, numbers not meaningful)" : ""}`,
    "",
    "| metric | value | what |",
    "|---|---:|---|",
    ...rows.map(([a, b, c]) => `| \`${a}\` | ${b} | ${c} |`),
    "",
    "| secp256k1 sign of a digest | @noble/curves (pure JS) | tiny-secp256k1 (WebAssembly) | libsecp256k1 (native, FFI) |",
    "|---|---:|---:|---:|",
    ...curve.map(([a, b, c]) => `| ${a} | ${b} | ${c} | ${a === "Deno" ? `\`raw_sign_per_s_native\` ${native}` : "—"} |`),
    "",
    "| CPU per transaction (ms) | by process | total |",
    "|---|---|---:|",
    cpuRow("`anvil_raw_send`", r.cpu_ms_per_tx.anvil_raw_send),
    cpuRow("`proxy_send`", r.cpu_ms_per_tx.proxy_send),
    "",
    `| node calls per send, by method (${r.node_calls_sends.clients} sends at ${r.send_clients} callers, ${r.node_calls_sends.one_caller} at 1) | |`,
    "|---|---|",
    byMethod("proxy", r.node_calls.proxy),
    byMethod("proxy, 1 caller", r.node_calls.proxy_1_caller),
    byMethod("viem local account", r.node_calls.viem),
    byMethod("viem local account, 1 caller", r.node_calls.viem_1_caller),
    byMethod("ethers Wallet", r.node_calls.ethers),
    byMethod(`proxy, ${r.node_calls_sends.block_time_s} s blocks`, r.node_calls.proxy_block_time),
    byMethod(`proxy, ${r.node_calls_sends.block_time_s} s blocks, 1 caller`, r.node_calls.proxy_block_time_1_caller),
    byMethod(`viem local account, ${r.node_calls_sends.block_time_s} s blocks`, r.node_calls.viem_block_time),
    byMethod(`viem local account, ${r.node_calls_sends.block_time_s} s blocks, 1 caller`, r.node_calls.viem_block_time_1_caller),
    "",
    "| target | | measured |",
    "|---|---|---|",
    ...benchTargets(r).map((t) => `| ${t.name} | ${t.holds ? "ok" : "**MISS**"} | ${t.detail} |`),
  ];
  return `${lines.join("\n")}\n`;
}
