import { serve, type ServerType } from "@hono/node-server";
import { mkdir, writeFile, rm } from "node:fs/promises";
import { resolve, join } from "node:path";
import type { AddressInfo } from "node:net";
import { createSignerClient } from "../signer/protocol/create_signer_client.ts";
import type { Hex } from "../signer/protocol/messages.ts";
import { parseSignerAddress } from "../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../signer/transport/transport_node.ts";
import { startRpcProxy } from "../rpc-proxy/start_rpc_proxy.ts";
import { createUpstream } from "../rpc-proxy/upstream/create_upstream.ts";
import { ANVIL_DEV_ACCOUNT, startAnvil } from "./start_anvil_node.ts";
import { startSigner } from "./start_signer_node.ts";
import type { Service } from "./spawn_service_node.ts";

export type StartLocalStackOptions = {
  /** Where local state lives. @default ".local" */
  stateDir?: string;
  /** Listen address of every listener. @default "127.0.0.1" */
  host?: string;
  /** JSON-RPC port; 0 picks a free one. @default 8545 */
  port?: number;
  /** Use this node instead of launching Anvil (then nothing is funded). */
  upstreamUrl?: string;
  /** Log a line of progress. */
  log?: (line: string) => void;
};

export type LocalStack = {
  readonly url: string;
  readonly upstreamUrl: string;
  readonly signerAddress: string;
  readonly accounts: Hex[];
  stop(): Promise<void>;
};

/** 100 ETH, what the first start gives the signer's account on an Anvil it launched itself. */
const FUNDING_WEI = 100n * 10n ** 18n;

/**
 * The whole system on one machine (DESIGN §8): Anvil (unless an upstream is given), the signer as a Deno
 * process on a Unix socket in the state directory, and the rpc-proxy on `http://host:port`. Makes one account
 * when the signer has none and funds it when Anvil is ours. `stop()` stops everything it started.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ stateDir: tmp, port: 0 });
 * // … stack.url …
 * await stack.stop();
 * ```
 */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStack> {
  const stateDir = resolve(options.stateDir ?? ".local");
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  await mkdir(stateDir, { recursive: true });
  const services: Service[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    await Promise.all(services.map((s) => s.stop()));
  };
  try {
    let upstreamUrl = options.upstreamUrl;
    if (!upstreamUrl) {
      const anvil = await startAnvil({ host });
      services.push(anvil.service);
      upstreamUrl = anvil.url;
      log(`anvil listening at ${upstreamUrl}`);
    }

    const socketPath = join(stateDir, "signer.sock");
    await rm(socketPath, { force: true });
    const signerProcess = await startSigner({ listen: `unix://${socketPath}` });
    services.push(signerProcess.service);
    log(`signer listening at ${signerProcess.address}`);

    const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(signerProcess.address)));
    cleanups.push(async () => signer.close());
    let accounts = (await signer.request("keys.list", {})).map((a) => a.address);
    if (accounts.length === 0) {
      const { address } = await signer.request("keys.generate", { label: "default" });
      accounts = [address];
      log(`generated account ${address}`);
      if (!options.upstreamUrl) await fund(upstreamUrl, address);
    }

    const proxy = startRpcProxy(
      { host, port: options.port ?? 8545, upstreamUrl, signer: parseSignerAddress(signerProcess.address), maxBodyBytes: 1024 * 1024, maxBatchSize: 100 },
      nodeTransport,
    );
    const server = await listen(proxy.app.fetch, host, options.port ?? 8545);
    cleanups.push(async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await proxy.close();
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    await writeFile(join(stateDir, "stack.json"), JSON.stringify({ url, upstreamUrl, signerAddress: signerProcess.address, pid: process.pid }, null, 2));
    cleanups.push(() => rm(join(stateDir, "stack.json"), { force: true }));
    return { url, upstreamUrl, signerAddress: signerProcess.address, accounts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function fund(upstreamUrl: string, address: Hex): Promise<void> {
  const upstream = createUpstream(upstreamUrl);
  try {
    const hash = await upstream.request<Hex>("eth_sendTransaction", [{ from: ANVIL_DEV_ACCOUNT, to: address, value: `0x${FUNDING_WEI.toString(16)}` }]);
    for (let i = 0; i < 100; i++) {
      if (await upstream.request("eth_getTransactionReceipt", [hash])) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Funding transaction ${hash} was not mined`);
  } finally {
    await upstream.close();
  }
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once("error", reject);
  });
}
