import type { Hono } from "hono";
import { createSignerClient } from "../signer/protocol/create_signer_client.ts";
import type { Transport } from "../signer/transport/transport.ts";
import { createRpcProxy } from "./create_rpc_proxy.ts";
import type { ProxyConfig } from "./parse_proxy_config.ts";
import { createUpstream } from "./upstream/create_upstream.ts";

/**
 * Wires a proxy from its configuration and a runtime's transport; the caller serves `app.fetch`.
 *
 * @example
 * ```ts
 * const { app, close } = startRpcProxy(config, nodeTransport);
 * ```
 */
export function startRpcProxy(config: ProxyConfig, transport: Transport): { app: Hono; close(): Promise<void> } {
  const signer = createSignerClient(() => transport.connect(config.signer));
  const upstream = createUpstream(config.upstreamUrl);
  const app = createRpcProxy({ signer, upstream, maxBodyBytes: config.maxBodyBytes, maxBatchSize: config.maxBatchSize });
  return {
    app,
    async close() {
      signer.close();
      await upstream.close();
    },
  };
}
