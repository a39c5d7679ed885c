import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Hex } from "viem";
import { ANVIL_MIXED_MINING, binaryPath, listeningEvent, spawnService, startAnvil, type Service } from "../../local/mod_node.ts";
import { startTestStack } from "../helpers/test_stack.ts";
import { tempDir } from "../helpers/temp_dir.ts";
import { findPids } from "./process_stats.ts";
import { startMiddlebox, type Middlebox } from "./start_middlebox.ts";
import { startSwallowingMiddlebox, type SwallowingMiddlebox } from "./start_swallowing_middlebox.ts";
import { startSupervisedSigner, type SupervisedSigner } from "./start_supervised_signer.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Between cutting the proxy off the node and stopping it (see `stopNode`). */
const QUIESCE_MS = 500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Everything a fault case acts on (see `startFaultEnv`). */
export type FaultEnv = {
  /** The rpc-proxy process (rpc-proxy/main_node.ts), upstream through the middlebox. */
  readonly proxyUrl: string;
  readonly proxyPid: number;
  /** Anvil itself (for checking what was mined, never through the proxy). */
  readonly nodeUrl: string;
  readonly middlebox: Middlebox;
  /** Behind `middlebox`, in front of Anvil: acknowledges broadcasts and loses them on demand. */
  readonly swallower: SwallowingMiddlebox;
  readonly account: Hex;
  readonly signerAddress: string;
  /** Present when the signer runs under the host-agent daemon (`supervised: true`). */
  readonly supervised: SupervisedSigner | undefined;
  /** The signer process now (it changes after a supervised restart), or undefined while none runs. */
  signerPid(): Promise<number | undefined>;
  anvilPid(): number | undefined;
  /**
   * Stops Anvil (it writes its state) / starts it again on the same port from that state. The proxy's way to it
   * (`middlebox`) goes down first and comes back up once it listens again.
   */
  stopNode(): Promise<void>;
  startNode(): Promise<void>;
  /** A fresh request id (the wei value of one transaction). */
  nextId(): number;
  stop(): Promise<void>;
};

/**
 * The system under test, production-shaped: an external Anvil (own state file, so it can be stopped and started
 * on the same port; `ANVIL_MIXED_MINING`, as the local stack's), the signer — the local stack's (KMS and Secrets Manager stand-ins, the Deno
 * signer with its key loaded through KMS), or with `supervised: true` one run by the real host-agent daemon
 * (`startSupervisedSigner`) — and the rpc-proxy as its own process (`rpc-proxy/main_node.ts`, the production
 * entry point) whose upstream is Anvil behind two middleboxes: a TCP one (latency, down) and an HTTP one that
 * can acknowledge broadcasts and lose them.
 *
 * @example
 * ```ts
 * const env = await startFaultEnv();
 * // … env.proxyUrl …
 * await env.stop();
 * ```
 */
export async function startFaultEnv(options: { log?: (line: string) => void; supervised?: boolean; keySyncIntervalMs?: number } = {}): Promise<FaultEnv> {
  const dir = await tempDir("faults-");
  const stateFile = join(dir.path, "anvil-state.json");
  const closers: (() => Promise<unknown>)[] = [];
  let anvil: Service | undefined;
  try {
    const started = await startAnvil({ args: ["--state", stateFile, ...ANVIL_MIXED_MINING] });
    anvil = started.service;
    const nodeUrl = started.url;
    const port = new URL(nodeUrl).port;
    closers.push(async () => anvil?.stop());
    let signerAddress: string;
    let account: Hex;
    let supervised: SupervisedSigner | undefined;
    if (options.supervised) {
      supervised = await startSupervisedSigner(options.keySyncIntervalMs === undefined ? {} : { keySyncIntervalMs: options.keySyncIntervalMs });
      closers.push(() => supervised!.stop());
      ({ signerAddress, account } = supervised);
    } else {
      const stack = await startTestStack({ upstreamUrl: nodeUrl, ...(options.log ? { log: options.log } : {}) });
      closers.push(() => stack.stop());
      signerAddress = stack.signerAddress;
      account = stack.accounts[0]!;
    }
    await fetch(nodeUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "anvil_setBalance", params: [account, `0x${(10n ** 24n).toString(16)}`] }),
    });
    const swallower = await startSwallowingMiddlebox(nodeUrl);
    closers.push(() => swallower.close());
    const middlebox = await startMiddlebox(`127.0.0.1:${new URL(swallower.url).port}`);
    closers.push(() => middlebox.close());
    const { service: proxy, value: proxyUrl } = await spawnService("rpc-proxy", process.execPath, [
      "--import", "tsx", join(ROOT, "rpc-proxy/main_node.ts"),
      "--upstream", middlebox.url, "--signer", signerAddress, "--port", "0", "--log-requests", "off",
    ], { cwd: ROOT, ready: listeningEvent("url"), timeoutMs: 60_000 });
    closers.push(() => proxy.stop());
    let id = 1_000_000;
    const socket = signerAddress.replace(/^unix:\/\//, "");
    return {
      proxyUrl,
      proxyPid: proxy.child.pid!,
      nodeUrl,
      middlebox,
      swallower,
      account,
      signerAddress,
      supervised,
      async signerPid() {
        const pids = await findPids(["signer/main_deno.ts", "--listen", socket]);
        // Deno's own process, not a wrapper that merely names the same arguments.
        return pids.sort((a, b) => b - a)[0];
      },
      anvilPid: () => anvil?.child.pid,
      async stopNode() {
        // The proxy loses the node at once; Anvil finishes what it already took before it is stopped. Stopped
        // while still taking transactions, Anvil writes a state whose account nonces count transactions its
        // blocks no longer hold (7 of 8 standalone runs: the transfers done, their hashes unknown to it after the
        // restart, their nonces used), which no real node restarted from its disk does; stopped quiet, 0 of 8.
        middlebox.setMode({ kind: "down" });
        await sleep(QUIESCE_MS);
        await anvil?.stop(10_000);
        anvil = undefined;
      },
      async startNode() {
        const { service } = await spawnService("anvil", binaryPath("anvil"), ["--host", "127.0.0.1", "--port", port, "--state", stateFile, ...ANVIL_MIXED_MINING], {
          ready: (line) => (/Listening on/.test(line) ? true : undefined),
        });
        anvil = service;
        middlebox.setMode({ kind: "pass" });
      },
      nextId: () => ++id,
      async stop() {
        for (const close of closers.reverse()) await close().catch(() => {});
        await dir.remove();
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    await dir.remove();
    throw error;
  }
}
