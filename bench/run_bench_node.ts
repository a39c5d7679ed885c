import { cpus, loadavg, totalmem } from "node:os";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { hexToBytes, type Hex } from "viem";
import { generatePrivateKey, privateKeyToAddress } from "viem/accounts";
import { binaryPath, listeningEvent, type Service, spawnService, startAnvil, startSigner } from "../local/mod_node.ts";
import { createSignerClient, signTransaction } from "../signer/mod.ts";
import { nodeTransport } from "../signer/mod_node.ts";
import { BENCH_KEY, ETHERS_SENDER_KEY, RAW_SENDER_KEY, VIEM_SENDER_KEY } from "./bench_keys.ts";
import { approveBenchPolicy, benchAdmin, benchPolicyDocument, BENCH_POLICY_RULES } from "./bench_policy.ts";
import { checkSends } from "./check_sends.ts";
import { cpuPer } from "./cpu_per_node.ts";
import { driveHttp, httpLatencyCall } from "./drive_http_node.ts";
import { driveEthersWalletSends, driveViemLocalSends } from "./drive_library_sends_node.ts";
import { driveSignerThroughput } from "./drive_signer_throughput_node.ts";
import { benchTransferParams } from "./encode_sign_requests.ts";
import { measureCurveSign } from "./measure_curve_sign.ts";
import { BENCH_TRANSFER, measureRawSign } from "./measure_raw_sign.ts";
import { measureSignLatency } from "./measure_sign_latency_node.ts";
import { onSeparateCpus } from "./on_separate_cpus_node.ts";
import { pairedLatency } from "./paired_latency.ts";
import { startCountingMiddlebox, type CountingMiddlebox } from "./start_counting_middlebox_node.ts";
import { startDenoRawSign, type DenoRawSign } from "./start_deno_raw_sign_node.ts";

/** The metrics every run reports, each a positive number (the fast harness test checks exactly this list). */
export const BENCH_METRICS = [
  "raw_sign_per_s",
  "raw_sign_per_s_deno",
  "signer_sign_per_s_1w",
  "policy_sign_per_s",
  "signer_sign_per_s",
  "signer_sign_p50_ms",
  "signer_sign_p99_ms",
  "proxy_sign_per_s",
  "proxy_sign_p50_ms",
  "proxy_sign_p99_ms",
  "anvil_raw_send_per_s",
  "proxy_send_per_s",
  "proxy_send_per_s_many_accounts",
  "viem_local_send_per_s",
  "ethers_wallet_send_per_s",
  "node_calls_per_send",
  "node_calls_per_send_1_caller",
  "viem_node_calls_per_send",
  "viem_node_calls_per_send_1_caller",
  "node_calls_per_send_block_time",
  "node_calls_per_send_block_time_1_caller",
  "viem_node_calls_per_send_block_time",
  "viem_node_calls_per_send_block_time_1_caller",
  "passthrough_p50_ms",
  "direct_p50_ms",
  "curve_noble_per_s",
  "curve_wasm_per_s",
  "curve_noble_per_s_deno",
  "curve_wasm_per_s_deno",
] as const;

export type BenchMetric = (typeof BENCH_METRICS)[number];

export type BenchResult = Record<BenchMetric, number> & {
  /**
   * Native libsecp256k1 through Deno FFI signing a digest, one core, in the same alternating rounds as
   * curve_noble_per_s_deno and curve_wasm_per_s_deno (issue 19); null where the library is not installed.
   */
  raw_sign_per_s_native: number | null;
  /** The curve the bench's signers sign with, as their `describe` reports it ("native" or "wasm"). */
  signer_curve: string;
  /** policy_sign_per_s / signer_sign_per_s_1w: what a governed key's policy costs a signature (reported, no target). */
  policy_sign_ratio: number;
  /** Rules in the policy of policy_sign_per_s (the request matches the last allow rule). */
  policy_rules: number;
  signer_workers: number;
  curve_identical: boolean;
  curve_identical_deno: boolean;
  anvil_raw_send_count: number;
  anvil_raw_send_mined: number;
  anvil_raw_send_nonce_gaps: number;
  /** Blocks forced with evm_mine after the timed sends (Anvil's automine left ready transactions behind). */
  anvil_raw_send_forced_blocks: number;
  /** Pre-signed transactions dropped from Anvil's pool and sent again after it left them queued (see checkSends). */
  anvil_raw_send_resent: number;
  proxy_send_count: number;
  proxy_send_mined: number;
  proxy_send_nonce_gaps: number;
  proxy_send_forced_blocks: number;
  proxy_send_many_accounts_count: number;
  proxy_send_many_accounts_mined: number;
  proxy_send_many_accounts_nonce_gaps: number;
  viem_local_send_count: number;
  viem_local_send_mined: number;
  viem_local_send_nonce_gaps: number;
  ethers_wallet_send_count: number;
  ethers_wallet_send_mined: number;
  /**
   * Node calls per send by method (batch entries one by one, counted by a middlebox in front of Anvil), for the
   * proxy and for viem's local account at `send_clients` callers and at 1, and ethers' Wallet at `send_clients`;
   * `…_block_time`: the proxy and viem's local account again on a second Anvil that mines a block every
   * `block_time_s` seconds on its own clock, as a real chain does, instead of at every transaction.
   */
  node_calls: Record<"proxy" | "proxy_1_caller" | "viem" | "viem_1_caller" | "ethers" | "proxy_block_time" | "proxy_block_time_1_caller" | "viem_block_time" | "viem_block_time_1_caller", Record<string, number>>;
  /**
   * Sends of each counted run (32 callers; 1 caller), every one checked mined without nonce gaps; and the blocks
   * Anvil made per send in the proxy's 32-caller run (the proxy reads each new block once).
   */
  node_calls_sends: { clients: number; one_caller: number; all_mined: boolean; blocks_per_send: number; block_time_s: number };
  /**
   * For context (no target): sends per second of the counted runs on the chain with a block time. Through the
   * proxy each caller waits until its transaction is kept (a short grace, see createBroadcastWatch); viem's local
   * account answers as soon as the node has the transaction.
   */
  send_per_s_block_time: Record<"proxy" | "proxy_1_caller" | "viem" | "viem_1_caller", number>;
  /**
   * vCPUs kept busy in the best round of each signing run, the one-worker signer's and the default one's: by the
   * signer process and by the load generator (this process), from /proc (null without it).
   */
  signer_cores_used: Record<"one_worker" | "default_workers", { signer: number; load_generator: number } | null>;
  send_clients: number;
  /** Milliseconds of CPU per transaction, by process, during each send run (Linux /proc; empty elsewhere). */
  cpu_ms_per_tx: { anvil_raw_send: Record<string, number>; proxy_send: Record<string, number> };
  /**
   * What this machine allows, measured in the same run (see `bench/bare_proxy_deno.ts`): the latency a bare
   * Deno proxy (no checks, no metrics, straight to the signer or node) adds over the signer and over the node,
   * each alternating request by request like the targets' own pairs; and the highest `proxy_send_per_s` ratio
   * the machine's CPU allows even for a proxy that cost nothing; and the highest `signer_sign_per_s` /
   * `signer_sign_per_s_1w` its vCPUs allow: the default run's rate were it to keep every vCPU busy at the CPU
   * per signature it measured (see `signer_cores_used.default_workers`); and the same were the signer alone on
   * them, as in an enclave, whose vCPUs the client does not share (`workers_ratio_ceiling_signer_alone`). Null
   * without /proc. `passthrough_noise_ms`: a second bare proxy's passthrough latency minus the first's, measured
   * alongside them: how far apart two identical proxies land in this run, the resolution of the passthrough
   * target. `passthrough_pinned`: whether the passthrough latencies were measured with the load generator and the
   * servers on separate vCPUs (`onSeparateCpus`).
   */
  floors: { sign_ms: number; passthrough_ms: number; passthrough_noise_ms: number; passthrough_pinned: boolean; send_ratio_ceiling: number | null; workers_ratio_ceiling: number | null; workers_ratio_ceiling_signer_alone: number | null };
  /** Rounds of the signing throughputs (each metric is its best round). */
  rounds: number;
  quick: boolean;
  duration_s: number;
  machine: { cpus: number; cpu_model: string; memory_gib: number; load_1m_start: number; load_1m_end: number; node: string; deno: string };
};

export type RunBenchOptions = {
  /** Smoke run: every measurement, much shorter (for the harness test; the numbers mean little). */
  quick?: boolean;
  /** Told the name of each step as it starts. */
  progress?: (step: string, index: number, total: number) => void;
};

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SEND_CLIENTS = 32;
/** The second Anvil's block time (`--block-time`): a chain whose blocks come on their own clock. */
const BLOCK_TIME_S = 1;

/**
 * Runs every measurement of issue 7 in one go on this machine, so their ratios are meaningful: raw signing
 * in Node and Deno (and the secp256k1 implementations: pure JS, WebAssembly, and native libsecp256k1 under Deno
 * where it is installed, which the signers then sign with: issue 19), the Deno signer over a Unix socket with one worker
 * and with its default worker count, the same one-worker signer signing with a governed key under a 20-rule policy
 * (issue 12: `policy_sign_per_s`, see `benchPolicyDocument`), the rpc-proxy (Deno) in front of it and Anvil, sends straight to Anvil and
 * through the proxy (checking every transaction is mined without nonce gaps) with the CPU each process spends
 * per transaction, and passthrough latency; and, as the floors this machine sets (`floors`), both latencies
 * through a bare Deno proxy and the send ratio its CPU allows.
 *
 * The machine is shared, so the signing throughputs are measured in rounds that alternate raw Node, raw Deno,
 * the one-worker signer, the one-worker signer with a policy and the default signer, and each reports its best round (noise only ever slows a
 * round down); latencies alternate their two sides request by request, and the rpc-proxy's pairs take turns
 * with the bare proxy's in blocks (`pairedLatency`). Starts everything on loopback and free ports and stops it
 * all, also on failure.
 *
 * @example
 * ```ts
 * const result = await runBench({ progress: (step) => console.error(step) });
 * ```
 */
export async function runBench(options: RunBenchOptions = {}): Promise<BenchResult> {
  const quick = options.quick ?? false;
  const rounds = quick ? 1 : 4;
  const roundMs = quick ? 300 : 1500;
  const sends = quick ? 100 : 2000;
  const started = performance.now();
  const loadStart = loadavg()[0]!;
  const steps = ["starting the signers", "secp256k1: noble vs WebAssembly", ...Array.from({ length: rounds }, (_, i) => `signing throughput, round ${i + 1}/${rounds}`), "starting Anvil and the proxies", "signing latency: signer vs proxy and bare proxy", "proxy: eth_signTransaction throughput", "Anvil: raw sends", "proxy: sends", "viem local account: sends", "ethers Wallet: sends", `proxy: sends from ${SEND_CLIENTS} accounts`, "passthrough latency: proxy and two bare proxies vs direct, pinned", "node calls per send: proxy and viem, through a counting middlebox", `node calls per send on a chain with ${BLOCK_TIME_S} s blocks`];
  let step = 0;
  const progress = () => options.progress?.(steps[step]!, ++step, steps.length);

  const dir = await mkdtemp(join(tmpdir(), "nitro-bench-"));
  const services: Service[] = [];
  let deno: DenoRawSign | undefined;
  const boxes: CountingMiddlebox[] = [];
  try {
    progress();
    deno = await startDenoRawSign();
    const denoVersion = await deno.version();
    const oneWorker = await startBenchSigner(join(dir, "signer-1w.sock"), ["--workers", "1"]);
    services.push(oneWorker.service);
    const governed = await startBenchSigner(join(dir, "signer-policy.sock"), ["--workers", "1"], { policy: true });
    services.push(governed.service);
    const signer = await startBenchSigner(join(dir, "signer.sock"), []);
    services.push(signer.service);

    progress();
    const curve = measureCurveSign(hexToBytes(BENCH_KEY), { durationMs: quick ? 400 : 2000 });
    const curveDeno = await deno.curve(quick ? 400 : 2000);

    const best = { rawNode: 0, rawDeno: 0, signer1w: 0, policy1w: 0, signer: 0 };
    const cores: Record<"oneWorker" | "defaultWorkers", { signer: number; load_generator: number } | null> = { oneWorker: null, defaultWorkers: null };
    for (let round = 0; round < rounds; round++) {
      progress();
      // The first round warms everything up (JIT, workers); later ones only briefly.
      const warmupMs = round === 0 ? roundMs : roundMs / 5;
      best.rawNode = Math.max(best.rawNode, await measureRawSign({ durationMs: roundMs, warmupMs, privateKey: BENCH_KEY }));
      best.rawDeno = Math.max(best.rawDeno, await deno.raw(roundMs, warmupMs));
      const one = await coresUsed(oneWorker.service.child.pid, () => driveSignerThroughput({ socketPath: oneWorker.socketPath, account: oneWorker.account, durationMs: roundMs, warmupMs }));
      if (one.result > best.signer1w) [best.signer1w, cores.oneWorker] = [one.result, one.cores];
      best.policy1w = Math.max(best.policy1w, await driveSignerThroughput({ socketPath: governed.socketPath, account: governed.account, durationMs: roundMs, warmupMs }));
      const all = await coresUsed(signer.service.child.pid, () => driveSignerThroughput({ socketPath: signer.socketPath, account: signer.account, durationMs: roundMs, warmupMs }));
      if (all.result > best.signer) [best.signer, cores.defaultWorkers] = [all.result, all.cores];
    }
    deno.close();
    deno = undefined;
    await oneWorker.service.stop();
    await governed.service.stop();

    progress();
    const anvil = await startAnvil();
    services.push(anvil.service);
    // Anvil logs every call it answers (a line per method, more per transaction); a production node does not,
    // and the proxy makes more calls per send than a raw send does, so the bench turns it off for both.
    await rpc(anvil.url, "anvil_setLoggingEnabled", [false]);
    const proxy = await startDenoProxy(anvil.url, signer.socketPath);
    services.push(proxy.service);
    const bare = await startBareProxy(anvil.url, signer.socketPath);
    services.push(bare.service);
    const rawSender = privateKeyToAddress(RAW_SENDER_KEY);
    const [viemSender, ethersSender] = [privateKeyToAddress(VIEM_SENDER_KEY), privateKeyToAddress(ETHERS_SENDER_KEY)];
    for (const address of [signer.account, rawSender, viemSender, ethersSender]) await rpc(anvil.url, "anvil_setBalance", [address, `0x${(10n ** 24n).toString(16)}`]);

    progress();
    // Each latency is measured twice in turns: against the rpc-proxy and against the bare proxy, the floor.
    const latencyRun = { samples: quick ? 50 : 1500, durationMs: quick ? 1000 : 7000, warmup: quick ? 10 : 200 };
    const signLatency = await measureSignLatency({ ...latencyRun, socketPath: signer.socketPath, account: signer.account, proxyUrls: [proxy.url, bare.url] });
    const [latency, bareSign] = [signLatency[0]!, signLatency[1]!];

    progress();
    const signBody = (i: number) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_signTransaction", params: [{ from: signer.account, ...benchTransferParams(1_000_000 + i) }] });
    const proxySign = await driveHttp(proxy.url, { clients: SEND_CLIENTS, body: signBody, durationMs: quick ? 500 : 4000, warmupMs: quick ? 100 : 1000 });

    progress();
    const rawFirstNonce = Number(await rpc(anvil.url, "eth_getTransactionCount", [rawSender, "pending"]));
    const rawKey = hexToBytes(RAW_SENDER_KEY);
    const raws = Array.from({ length: sends }, (_, i) => signTransaction(rawKey, { ...BENCH_TRANSFER, type: "eip1559", nonce: rawFirstNonce + i }).raw);
    const anvilPid = anvil.service.child.pid;
    const { result: rawSend, cpu: rawCpu } = await cpuPer(sends, { anvil: anvilPid }, () => driveHttp(anvil.url, {
      clients: SEND_CLIENTS,
      count: sends,
      body: (i) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_sendRawTransaction", params: [raws[i]] }),
    }));
    // Reported, not required (the raw sends measure Anvil), so Anvil gets 10 s to mine what it stranded, not 30.
    const rawChecked = await checkSends(anvil.url, { address: rawSender, firstNonce: rawFirstNonce, hashes: [...rawSend.replies.values()].map((r) => r.result as Hex), raws }, { timeoutMs: 10_000 });

    progress();
    const sendFirstNonce = Number(await rpc(anvil.url, "eth_getTransactionCount", [signer.account, "pending"]));
    const { result: proxySend, cpu: proxySendCpu } = await cpuPer(sends, { anvil: anvilPid, proxy: proxy.service.child.pid, signer: signer.service.child.pid }, () => driveHttp(proxy.url, {
      clients: SEND_CLIENTS,
      count: sends,
      body: (i) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [{ from: signer.account, to: BENCH_TRANSFER.to, value: "0x1" }] }),
    }));
    const sendChecked = await checkSends(anvil.url, { address: signer.account, firstNonce: sendFirstNonce, hashes: [...proxySend.replies.values()].map((r) => r.result as Hex) });

    // What users would pick instead (issue 14): the key in the application, viem's local account or ethers'
    // Wallet sending straight to the same Anvil, from one account, with the same number of callers.
    progress();
    const library = { url: anvil.url, chainId: BENCH_TRANSFER.chainId, to: BENCH_TRANSFER.to as Hex, clients: SEND_CLIENTS, count: sends };
    const viemFirstNonce = Number(await rpc(anvil.url, "eth_getTransactionCount", [viemSender, "pending"]));
    const viemSend = await driveViemLocalSends({ ...library, key: VIEM_SENDER_KEY });
    const viemChecked = await checkSends(anvil.url, { address: viemSender, firstNonce: viemFirstNonce, hashes: viemSend.hashes });
    progress();
    const ethersCount = quick ? 100 : 1000;
    const ethersFirstNonce = Number(await rpc(anvil.url, "eth_getTransactionCount", [ethersSender, "pending"]));
    const ethersSend = await driveEthersWalletSends({ ...library, count: ethersCount, key: ETHERS_SENDER_KEY });
    const ethersChecked = await checkSends(anvil.url, { address: ethersSender, firstNonce: ethersFirstNonce, hashes: ethersSend.hashes });

    // For context (no target): the same sends spread over one account per client, so no account's sends are
    // grouped (each group holds one send); compare with the one-account run to see what grouping saves.
    progress();
    const manyCount = quick ? 64 : 1000;
    const many = await generateAccounts(signer.socketPath, SEND_CLIENTS - 1);
    const senders = [signer.account, ...many];
    await rpcBatch(anvil.url, many.map((address) => ["anvil_setBalance", [address, `0x${(10n ** 24n).toString(16)}`]]));
    const manyFirst = await rpcBatch(anvil.url, senders.map((address) => ["eth_getTransactionCount", [address, "pending"]]));
    const manySend = await driveHttp(proxy.url, {
      clients: SEND_CLIENTS,
      count: manyCount,
      body: (i) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [{ from: senders[i % senders.length], to: BENCH_TRANSFER.to, value: "0x1" }] }),
    });
    let manyMined = 0;
    let manyGaps = 0;
    for (const [k, address] of senders.entries()) {
      const hashes = [...manySend.replies.entries()].filter(([i]) => i % senders.length === k).map(([, r]) => r.result as Hex);
      const checked = await checkSends(anvil.url, { address, firstNonce: Number(manyFirst[k]), hashes });
      manyMined += checked.mined;
      manyGaps += checked.nonceGaps;
    }

    progress();
    // The proxy's own part of a passthrough is judged to 50 µs: the load generator and the servers run on
    // separate vCPUs (onSeparateCpus), and a second bare proxy, the same program as the first, shows how far
    // apart two identical proxies measure in this run (`floors.passthrough_noise_ms`).
    const blockNumber = (i: number) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_blockNumber", params: [] });
    const bareAgain = await startBareProxy(anvil.url, signer.socketPath);
    services.push(bareAgain.service);
    const [toProxy, toBare, toBareAgain, toAnvil] = [proxy.url, bare.url, bareAgain.url, anvil.url].map((url) => httpLatencyCall(url, blockNumber));
    const servers = [proxy, bare, bareAgain, anvil].map(({ service }) => service.child.pid).filter((pid): pid is number => pid !== undefined);
    const { result: httpLatency, pinned: latencyPinned } = await onSeparateCpus(servers, () =>
      pairedLatency([[toProxy!.call, toAnvil!.call], [toBare!.call, toAnvil!.call], [toBareAgain!.call, toAnvil!.call]], latencyRun))
      .finally(() => Promise.all([toProxy, toBare, toBareAgain, toAnvil].map((c) => c!.close())));
    await bareAgain.service.stop();
    const [[passthrough, direct], [barePassthrough, bareDirect], [bareAgainPassthrough, bareAgainDirect]] = [httpLatency[0]!, httpLatency[1]!, httpLatency[2]!];

    // Node calls per send, counted the same way for both: a middlebox in front of Anvil, a second proxy (and its
    // own account) behind it, and viem's local account through it; at SEND_CLIENTS callers and at one.
    progress();
    const countedSends = { clients: quick ? 64 : 640, one: quick ? 20 : 100 };
    let allMined = true;
    /** A counting middlebox in front of the node at `nodeUrl`, an rpc-proxy behind it, and one more signer account. */
    const countedOn = async (nodeUrl: string) => {
      const box = await startCountingMiddlebox(nodeUrl);
      boxes.push(box);
      const counted = await startDenoProxy(box.url, signer.socketPath);
      services.push(counted.service);
      const [account] = await generateAccounts(signer.socketPath, 1);
      await rpc(nodeUrl, "anvil_setBalance", [account, `0x${(10n ** 24n).toString(16)}`]);
      const proxySends = async (clients: number, count: number) => {
        const firstNonce = Number(await rpc(nodeUrl, "eth_getTransactionCount", [account, "pending"]));
        const firstBlock = Number(await rpc(nodeUrl, "eth_blockNumber", []));
        box.reset();
        const run = await driveHttp(counted.url, {
          clients,
          count,
          body: (i) => JSON.stringify({ jsonrpc: "2.0", id: i, method: "eth_sendTransaction", params: [{ from: account, to: BENCH_TRANSFER.to, value: "0x1" }] }),
        });
        const calls = box.counts();
        const blocksPerSend = (Number(await rpc(nodeUrl, "eth_blockNumber", [])) - firstBlock) / count;
        const checked = await checkSends(nodeUrl, { address: account!, firstNonce, hashes: [...run.replies.values()].map((r) => r.result as Hex) });
        allMined &&= checked.mined === count && checked.nonceGaps === 0;
        return { calls: perSend(calls, count), blocksPerSend, perSecond: run.perSecond };
      };
      // Each library run sends from a fresh account: Anvil's automine sometimes leaves an account's transactions
      // queued for good (see checkSends), and a library's nonce manager would trip over them in a later run.
      const librarySends = async (drive: typeof driveViemLocalSends, clients: number, count: number) => {
        const key = generatePrivateKey();
        const address = privateKeyToAddress(key);
        await rpc(nodeUrl, "anvil_setBalance", [address, `0x${(10n ** 24n).toString(16)}`]);
        const firstNonce = 0;
        box.reset();
        const run = await drive({ ...library, url: box.url, key, clients, count });
        const calls = box.counts();
        const checked = await checkSends(nodeUrl, { address, firstNonce, hashes: run.hashes });
        allMined &&= checked.mined === count && checked.nonceGaps === 0;
        return { calls: perSend(calls, count), perSecond: run.perSecond };
      };
      return { proxySends, librarySends };
    };
    const automine = await countedOn(anvil.url);
    // One warm-up send, uncounted: the proxy reads the chain id, the account's count and the tip once.
    await automine.proxySends(1, 1);
    const proxy32 = await automine.proxySends(SEND_CLIENTS, countedSends.clients);
    const nodeCallsAutomine = {
      proxy: proxy32.calls,
      proxy_1_caller: (await automine.proxySends(1, countedSends.one)).calls,
      viem: (await automine.librarySends(driveViemLocalSends, SEND_CLIENTS, countedSends.clients)).calls,
      viem_1_caller: (await automine.librarySends(driveViemLocalSends, 1, countedSends.one)).calls,
      ethers: (await automine.librarySends(driveEthersWalletSends, SEND_CLIENTS, countedSends.clients)).calls,
    };

    // The same on a chain whose blocks come on their own clock, as on a real network: Anvil with a block time.
    progress();
    const timed = await startAnvil({ args: ["--block-time", String(BLOCK_TIME_S)] });
    services.push(timed.service);
    await rpc(timed.url, "anvil_setLoggingEnabled", [false]);
    const blockTime = await countedOn(timed.url);
    // Warm-up, uncounted: besides the reads above, the proxy learns from its first senders' waits that blocks
    // come on the chain's clock (see createBroadcastWatch).
    await blockTime.proxySends(1, 4);
    const onBlockTime = {
      proxy: await blockTime.proxySends(SEND_CLIENTS, countedSends.clients),
      proxy_1_caller: await blockTime.proxySends(1, countedSends.one),
      viem: await blockTime.librarySends(driveViemLocalSends, SEND_CLIENTS, countedSends.clients),
      viem_1_caller: await blockTime.librarySends(driveViemLocalSends, 1, countedSends.one),
    };
    const nodeCalls = {
      ...nodeCallsAutomine,
      proxy_block_time: onBlockTime.proxy.calls,
      proxy_block_time_1_caller: onBlockTime.proxy_1_caller.calls,
      viem_block_time: onBlockTime.viem.calls,
      viem_block_time_1_caller: onBlockTime.viem_1_caller.calls,
    };
    const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

    return {
      raw_sign_per_s: best.rawNode,
      raw_sign_per_s_deno: best.rawDeno,
      signer_sign_per_s_1w: best.signer1w,
      policy_sign_per_s: best.policy1w,
      policy_sign_ratio: best.policy1w / best.signer1w,
      policy_rules: BENCH_POLICY_RULES,
      signer_sign_per_s: best.signer,
      signer_sign_p50_ms: latency.signer.p50,
      signer_sign_p99_ms: latency.signer.p99,
      proxy_sign_per_s: proxySign.perSecond,
      proxy_sign_p50_ms: latency.proxy.p50,
      proxy_sign_p99_ms: latency.proxy.p99,
      anvil_raw_send_per_s: rawSend.perSecond,
      proxy_send_per_s: proxySend.perSecond,
      proxy_send_per_s_many_accounts: manySend.perSecond,
      viem_local_send_per_s: viemSend.perSecond,
      ethers_wallet_send_per_s: ethersSend.perSecond,
      node_calls_per_send: total(nodeCalls.proxy),
      node_calls_per_send_1_caller: total(nodeCalls.proxy_1_caller),
      viem_node_calls_per_send: total(nodeCalls.viem),
      viem_node_calls_per_send_1_caller: total(nodeCalls.viem_1_caller),
      node_calls_per_send_block_time: total(nodeCalls.proxy_block_time),
      node_calls_per_send_block_time_1_caller: total(nodeCalls.proxy_block_time_1_caller),
      viem_node_calls_per_send_block_time: total(nodeCalls.viem_block_time),
      viem_node_calls_per_send_block_time_1_caller: total(nodeCalls.viem_block_time_1_caller),
      passthrough_p50_ms: passthrough.p50,
      direct_p50_ms: direct.p50,
      curve_noble_per_s: curve.noble,
      curve_wasm_per_s: curve.wasm,
      curve_noble_per_s_deno: curveDeno.noble,
      curve_wasm_per_s_deno: curveDeno.wasm,
      raw_sign_per_s_native: curveDeno.native,
      signer_curve: signer.curve,
      signer_workers: signer.workers,
      curve_identical: curve.identical,
      curve_identical_deno: curveDeno.identical,
      anvil_raw_send_count: sends,
      anvil_raw_send_mined: rawChecked.mined,
      anvil_raw_send_nonce_gaps: rawChecked.nonceGaps,
      anvil_raw_send_forced_blocks: rawChecked.forcedBlocks,
      anvil_raw_send_resent: rawChecked.resent,
      proxy_send_count: sends,
      proxy_send_mined: sendChecked.mined,
      proxy_send_nonce_gaps: sendChecked.nonceGaps,
      proxy_send_forced_blocks: sendChecked.forcedBlocks,
      proxy_send_many_accounts_count: manyCount,
      proxy_send_many_accounts_mined: manyMined,
      proxy_send_many_accounts_nonce_gaps: manyGaps,
      viem_local_send_count: sends,
      viem_local_send_mined: viemChecked.mined,
      viem_local_send_nonce_gaps: viemChecked.nonceGaps,
      ethers_wallet_send_count: ethersCount,
      ethers_wallet_send_mined: ethersChecked.mined,
      node_calls: nodeCalls,
      node_calls_sends: { clients: countedSends.clients, one_caller: countedSends.one, all_mined: allMined, blocks_per_send: Math.round(proxy32.blocksPerSend * 1000) / 1000, block_time_s: BLOCK_TIME_S },
      send_per_s_block_time: Object.fromEntries(Object.entries(onBlockTime).map(([run, { perSecond }]) => [run, perSecond])) as BenchResult["send_per_s_block_time"],
      signer_cores_used: { one_worker: cores.oneWorker, default_workers: cores.defaultWorkers },
      send_clients: SEND_CLIENTS,
      cpu_ms_per_tx: { anvil_raw_send: rawCpu, proxy_send: proxySendCpu },
      floors: {
        sign_ms: bareSign.proxy.p50 - bareSign.signer.p50,
        passthrough_ms: barePassthrough.p50 - bareDirect.p50,
        passthrough_noise_ms: (bareAgainPassthrough.p50 - bareAgainDirect.p50) - (barePassthrough.p50 - bareDirect.p50),
        passthrough_pinned: latencyPinned,
        send_ratio_ceiling: sendRatioCeiling(rawCpu, Math.max(best.rawDeno, best.signer1w)),
        workers_ratio_ceiling: cores.defaultWorkers && (best.signer / best.signer1w) * (cpus().length / (cores.defaultWorkers.signer + cores.defaultWorkers.load_generator)),
        workers_ratio_ceiling_signer_alone: cores.defaultWorkers && (best.signer / best.signer1w) * (cpus().length / cores.defaultWorkers.signer),
      },
      rounds,
      quick,
      duration_s: (performance.now() - started) / 1000,
      machine: {
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model.trim() ?? "unknown",
        memory_gib: Math.round(totalmem() / 2 ** 30),
        load_1m_start: loadStart,
        load_1m_end: loadavg()[0]!,
        node: process.version,
        deno: denoVersion,
      },
    };
  } finally {
    deno?.close();
    await Promise.all(boxes.map((b) => b.close()));
    await Promise.all(services.splice(0).map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The Deno signer on a Unix socket (dev mode, no KMS) with one memory-only key. With `policy`, the key is governed
 * by the bench admin (threshold 1) and the admin's 20-rule bench policy is put in force with policy.apply, as a
 * real deployment does it; the bench transfer must then be allowed (checked with policy.check).
 */
async function startBenchSigner(socketPath: string, args: string[], options: { policy?: boolean } = {}): Promise<{ service: Service; socketPath: string; account: Hex; workers: number; curve: string }> {
  const { service } = await startSigner({ listen: `unix://${socketPath}`, args: ["--mode", "dev", ...args] });
  const client = createSignerClient(() => nodeTransport.connect({ transport: "unix", path: socketPath }));
  try {
    const governance = options.policy ? { governance: { admins: [benchAdmin()], threshold: 1 } } : {};
    const { address } = await client.request("keys.generate", { label: "bench", ...governance });
    if (options.policy) {
      await client.request("policy.apply", await approveBenchPolicy(benchPolicyDocument(address, Date.now())));
      const decision = await client.request("policy.check", { method: "sign.transaction", params: { address, transaction: benchTransferParams(0) } });
      if (!decision.allowed || decision.rule !== "allow-bench-transfer") throw new Error(`bench policy: the bench transfer is not allowed by its last rule (${JSON.stringify(decision)})`);
    }
    const described = await client.request("describe", {});
    // `curve` is added to describe's answer by the signer's main (issue 19); older signers answer without it.
    const curve = (described as { curve?: unknown }).curve;
    return { service, socketPath, account: address, workers: described.workers, curve: typeof curve === "string" ? curve : "wasm" };
  } catch (error) {
    await service.stop();
    throw error;
  } finally {
    client.close();
  }
}

/**
 * The V8 flags of the rpc-proxy in production (`scripts/compile.sh` builds them into its binary, `deno task proxy`
 * passes them): no memory reducer, whose GC after a busy spell left the process slower per request for good
 * (docs/performance.md, "Passthrough").
 */
const RPC_PROXY_V8_FLAGS = "--v8-flags=--no-memory-reducer";

/** The rpc-proxy as production runs it: a Deno process with its V8 flags, request logging off. */
function startDenoProxy(upstreamUrl: string, socketPath: string): Promise<{ service: Service; url: string }> {
  return startDenoHttpService("rpc-proxy", "rpc-proxy/main_deno.ts", [
    "--host", "127.0.0.1", "--port", "0", "--upstream", upstreamUrl, "--signer", `unix://${socketPath}`, "--log-requests", "off",
  ], { denoFlags: [RPC_PROXY_V8_FLAGS] });
}

/** `bench/bare_proxy_deno.ts` in front of the same signer and node. */
function startBareProxy(upstreamUrl: string, socketPath: string): Promise<{ service: Service; url: string }> {
  return startDenoHttpService("bare-proxy", "bench/bare_proxy_deno.ts", [socketPath, upstreamUrl]);
}

/** A Deno script of this repository that prints `{"event":"listening","url":…}` when it serves HTTP. */
async function startDenoHttpService(name: string, script: string, args: string[], options: { denoFlags?: string[] } = {}): Promise<{ service: Service; url: string }> {
  const run = ["run", "--quiet", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--allow-sys", ...(options.denoFlags ?? []), join(ROOT, script), ...args];
  const { service, value } = await spawnService(name, binaryPath("deno"), run, {
    env: { NO_COLOR: "1" },
    timeoutMs: 60_000,
    ready: listeningEvent("url"),
  });
  return { service, url: value };
}

/**
 * The highest proxy_send_per_s / anvil_raw_send_per_s this machine allows when every process shares its
 * vCPUs: a proxied send costs at least what a raw send costs everyone (node and load generator) plus one
 * signature at the fastest signing rate measured, even if the proxy itself cost nothing and the node did no
 * more than for a raw send (no gas estimate, no reads). Null without /proc.
 */
function sendRatioCeiling(rawCpu: Record<string, number>, signPerSecond: number): number | null {
  const raw = Object.values(rawCpu).reduce((a, b) => a + b, 0);
  return raw > 0 ? raw / (raw + 1000 / signPerSecond) : null;
}

/**
 * The vCPUs the signer (`pid`) and this process, its load generator, each keep busy while `run` runs: CPU time
 * over wall time (null without /proc).
 */
async function coresUsed<T>(pid: number | undefined, run: () => Promise<T>): Promise<{ result: T; cores: { signer: number; load_generator: number } | null }> {
  const started = performance.now();
  const { result, cpu } = await cpuPer(1, { signer: pid }, run);
  const wall = performance.now() - started;
  return { result, cores: cpu.signer === undefined ? null : { signer: cpu.signer / wall, load_generator: cpu.load_generator! / wall } };
}

/** Calls by method divided by `sends`, rounded to 3 decimals. */
function perSend(calls: Record<string, number>, sends: number): Record<string, number> {
  return Object.fromEntries(Object.entries(calls).map(([method, n]) => [method, Math.round((n / sends) * 1000) / 1000]));
}

/** `count` more memory-only keys in the signer. */
async function generateAccounts(socketPath: string, count: number): Promise<Hex[]> {
  const client = createSignerClient(() => nodeTransport.connect({ transport: "unix", path: socketPath }));
  try {
    return await Promise.all(Array.from({ length: count }, async () => (await client.request("keys.generate", {})).address));
  } finally {
    client.close();
  }
}

async function rpcBatch(url: string, calls: [string, unknown[]][]): Promise<unknown[]> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(calls.map(([method, params], id) => ({ jsonrpc: "2.0", id, method, params }))) });
  const replies = (await response.json()) as { id: number; result?: unknown; error?: { message: string } }[];
  return replies.sort((a, b) => a.id - b.id).map((reply) => {
    if (reply.error) throw new Error(`${url}: ${reply.error.message}`);
    return reply.result;
  });
}

async function rpc(url: string, method: string, params: unknown[]): Promise<unknown> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  const reply = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (reply.error) throw new Error(`${method}: ${reply.error.message}`);
  return reply.result;
}
