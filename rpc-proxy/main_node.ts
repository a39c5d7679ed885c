/**
 * The rpc-proxy under Node: `tsx rpc-proxy/main_node.ts --upstream URL --signer ADDRESS`.
 * Prints one JSON line `{"event":"listening","url":…}` on stdout when ready.
 */
import { serve } from "@hono/node-server";
import { readFileSync } from "node:fs";
import type { Socket } from "node:net";
import { nodeTransport } from "../signer/mod_node.ts";
import { parseProxyConfig, PROXY_USAGE } from "./parse_proxy_config.ts";
import { createRpcProxyFromConfig } from "./create_rpc_proxy_from_config.ts";

if (process.argv.includes("--help")) {
  process.stdout.write(PROXY_USAGE);
  process.exit(0);
}
let config;
try {
  config = parseProxyConfig(process.argv.slice(2), process.env, { readTextFile: (path) => readFileSync(path, "utf8") });
} catch (error) {
  process.stderr.write(`rpc-proxy: ${(error as Error).message}\n`);
  process.exit(2);
}
const proxy = createRpcProxyFromConfig(config, nodeTransport, { log: (line) => process.stderr.write(`${line}\n`) });
// Bounds against hostile clients (docs/reliability.md): a request's headers must arrive within 10 s and the whole
// request within 30 s (Node's defaults: 60 s and 300 s), checked every second; headers above 16 KiB get 431; an
// idle keep-alive connection is closed after 5 s; a connection silent for 10 s with no answer pending (one that
// never sends a request, or stops mid-headers: Node's own checks miss both) is closed; at most 10,000 connections.
const server = serve({
  fetch: proxy.app.fetch,
  hostname: config.host,
  port: config.port,
  serverOptions: { headersTimeout: 10_000, requestTimeout: 30_000, keepAliveTimeout: 5_000, connectionsCheckingInterval: 1_000, maxHeaderSize: 16 * 1024 },
}, (info) => {
  console.log(JSON.stringify({ event: "listening", url: `http://${config.host}:${info.port}` }));
});
server.maxConnections = 10_000;
server.setTimeout(10_000);
server.on("timeout", (socket: Socket & { _httpMessage?: unknown }) => {
  // An answer being prepared (the signer or the node is slow) is bounded by their own timeouts, not cut here.
  if (!socket._httpMessage) socket.destroy();
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void proxy.close().finally(() => process.exit(0));
  });
}
