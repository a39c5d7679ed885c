import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Hex } from "viem";
import { binaryPath } from "../../local/binaries_node.ts";
import { spawnService, type Service } from "../../local/spawn_service_node.ts";
import { ANVIL_DEV_ACCOUNT, startAnvil } from "../../local/start_anvil_node.ts";
import { startSigner } from "../../local/start_signer_node.ts";
import { createRpcProxy, type CreateRpcProxyOptions } from "../../rpc-proxy/create_rpc_proxy.ts";
import { createUpstream, type Upstream } from "../../rpc-proxy/upstream/create_upstream.ts";
import { createSignerClient } from "../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../signer/transport/transport_node.ts";
import { tempDir } from "../helpers/temp_dir.ts";

export type ProxyFixture = {
  /** The proxy's JSON-RPC URL. */
  readonly url: string;
  readonly upstreamUrl: string;
  /** The signer's one account, funded with 1000 ETH. */
  readonly account: Hex;
  /** A direct client of the signer (for keys.generate after a restart, and sign.authorization). */
  readonly signer: ReturnType<typeof createSignerClient>;
  /** JSON log lines the proxy wrote. */
  readonly lines: string[];
  stopSigner(): Promise<void>;
  /** A new signer process on the same socket; it holds no keys until given some. */
  startSigner(): Promise<void>;
  stopNode(): Promise<void>;
  /** A fresh Anvil on the same port (the chain starts over). */
  startNode(): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A light stack for the proxy's integration tests: real Anvil, the real Deno signer (dev mode, a memory-only
 * key) on a Unix socket, and the proxy in-process on a free loopback port with the given options. No KMS or
 * Secrets Manager: what is tested here is the facade. Parts can be stopped and started again.
 */
export async function startProxyFixture(
  options: Partial<Omit<CreateRpcProxyOptions, "signer" | "upstream">> & {
    upstreamBatches?: boolean;
    /** Wraps the proxy's client of the node (to act on the node between the proxy's calls). @default as is */
    wrapUpstream?: (upstream: Upstream) => Upstream;
  } = {},
): Promise<ProxyFixture> {
  const { upstreamBatches, wrapUpstream, ...proxyOptions } = options;
  const dir = await tempDir("proxy-");
  const socket = join(dir.path, "signer.sock");
  let anvil: Service | undefined;
  let signerService: Service | undefined;
  let server: ServerType | undefined;
  const closers: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    if (server) await new Promise<void>((done) => server!.close(() => done()));
    for (const close of closers.reverse()) await close();
    await Promise.all([anvil?.stop(), signerService?.stop()]);
    await dir.remove();
  };
  try {
    const node = await startAnvil();
    anvil = node.service;
    const upstreamUrl = node.url;
    const port = new URL(upstreamUrl).port;
    const signerAddress = `unix://${socket}`;
    signerService = (await startSigner({ listen: signerAddress })).service;
    const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(signerAddress)));
    closers.push(() => signer.close());
    const account = (await signer.request("keys.generate", { label: "fixture" })).address;
    const upstream = createUpstream(upstreamUrl, { batches: upstreamBatches ?? true });
    closers.push(() => upstream.close());
    await upstream.request("anvil_setBalance", [account, `0x${(1000n * 10n ** 18n).toString(16)}`]);
    const lines: string[] = [];
    const app = createRpcProxy({ signer, upstream: wrapUpstream ? wrapUpstream(upstream) : upstream, log: (line) => lines.push(line), readinessTimeoutMs: 1500, ...proxyOptions });
    server = await new Promise<ServerType>((resolve, reject) => {
      const s = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () => resolve(s));
      s.once("error", reject);
    });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      url,
      upstreamUrl,
      account,
      signer,
      lines,
      async stopSigner() {
        await signerService?.stop();
        signerService = undefined;
      },
      async startSigner() {
        signerService = (await startSigner({ listen: signerAddress })).service;
      },
      async stopNode() {
        await anvil?.stop();
        anvil = undefined;
      },
      async startNode() {
        const { service } = await spawnService("anvil", binaryPath("anvil"), ["--host", "127.0.0.1", "--port", port], {
          ready: (line) => (/Listening on/.test(line) ? true : undefined),
        });
        anvil = service;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Funds an address from Anvil's first dev account. */
export async function fund(upstreamUrl: string, address: Hex, wei = 10n ** 18n): Promise<void> {
  const upstream = createUpstream(upstreamUrl);
  try {
    await upstream.request("eth_sendTransaction", [{ from: ANVIL_DEV_ACCOUNT, to: address, value: `0x${wei.toString(16)}` }]);
  } finally {
    await upstream.close();
  }
}
