/**
 * The rpc-proxy under Node: `tsx rpc-proxy/main_node.ts --upstream URL --signer ADDRESS`.
 * Prints one JSON line `{"event":"listening","url":…}` on stdout when ready.
 */
import { serve } from "@hono/node-server";
import { readFileSync } from "node:fs";
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
const server = serve({ fetch: proxy.app.fetch, hostname: config.host, port: config.port }, (info) => {
  console.log(JSON.stringify({ event: "listening", url: `http://${config.host}:${info.port}` }));
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    server.close();
    void proxy.close().finally(() => process.exit(0));
  });
}
