/// <reference lib="deno.ns" />
/**
 * The floor the latency targets are measured against: the least any Deno JSON-RPC proxy in front of the same
 * signer and node can add. `eth_signTransaction` (every field given) goes straight to `sign.transaction`;
 * anything else is forwarded to the node as is. Same runtime, HTTP server, signer client and node client as
 * the rpc-proxy, but no Hono, no checks, no filling, no metrics: never use it for anything but the bench.
 *
 *   deno run -A bench/bare_proxy_deno.ts <signer socket path> <node url>
 *
 * Prints `{"event":"listening","url":…}` when ready.
 */
import { createUpstream } from "../rpc-proxy/mod.ts";
import { createSignerClient, type Hex, type TransactionParams } from "../signer/mod.ts";
import { denoTransport } from "../signer/mod_deno.ts";

const [socketPath, nodeUrl] = Deno.args;
if (!socketPath || !nodeUrl) {
  console.error("usage: bare_proxy_deno.ts <signer socket path> <node url>");
  Deno.exit(2);
}
const signer = createSignerClient(() => denoTransport.connect({ transport: "unix", path: socketPath }));
const upstream = createUpstream(nodeUrl);
const json = { "content-type": "application/json" };

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(JSON.stringify({ event: "listening", url: `http://127.0.0.1:${port}` })),
}, async (request) => {
  const body = await request.text();
  const call = JSON.parse(body) as { id: number; method: string; params: [TransactionParams & { from: Hex }] };
  try {
    if (call.method !== "eth_signTransaction") return new Response(await upstream.forward(body), { headers: json });
    const { from, ...transaction } = call.params[0];
    const { raw } = await signer.request("sign.transaction", { address: from, transaction });
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: raw }), { headers: json });
  } catch (error) {
    // The harness stops at the first error and shows this message.
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: call.id, error: { code: -32603, message: String(error) } }), { headers: json });
  }
});
