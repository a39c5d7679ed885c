/// <reference lib="deno.ns" />
/**
 * The rpc-proxy under Deno (production: reaches the signer over vsock with `--unstable-vsock`).
 * Prints one JSON line `{"event":"listening","url":…}` on stdout when ready.
 */
import { denoTransport } from "../signer/mod_deno.ts";
import { parseProxyConfig, PROXY_USAGE } from "./parse_proxy_config.ts";
import { createRpcProxyFromConfig } from "./create_rpc_proxy_from_config.ts";

if (Deno.args.includes("--help")) {
  console.log(PROXY_USAGE);
  Deno.exit(0);
}
let config;
try {
  config = parseProxyConfig(Deno.args, Deno.env.toObject(), { readTextFile: (path) => Deno.readTextFileSync(path) });
} catch (error) {
  console.error(`rpc-proxy: ${(error as Error).message}`);
  Deno.exit(2);
}
const proxy = createRpcProxyFromConfig(config, denoTransport, { log: (line) => console.error(line) });
const server = Deno.serve({
  hostname: config.host,
  port: config.port,
  onListen: ({ port }) => console.log(JSON.stringify({ event: "listening", url: `http://${config.host}:${port}` })),
}, proxy.app.fetch);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    void server.shutdown().then(() => proxy.close()).finally(() => Deno.exit(0));
  });
}
