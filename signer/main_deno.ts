/// <reference lib="deno.ns" />
/**
 * The signer process (inside the enclave in production). Chooses the implementations: Deno transport, key
 * store, method table. Configuration: `--listen ADDRESS` or SIGNER_LISTEN (default `vsock://-1:5000`).
 * Prints one JSON line `{"event":"listening","address":…}` on stdout when ready; logs JSON lines to stderr.
 */
import { createKeyStore } from "./keys/key_store.ts";
import { createSignerMethods } from "./methods/create_signer_methods.ts";
import { serveSigner } from "./server/serve_signer.ts";
import { formatSignerAddress, parseSignerAddress } from "./transport/parse_signer_address.ts";
import { denoTransport } from "./transport/transport_deno.ts";

const args = Deno.args;
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const listenAt = parseSignerAddress(flag("--listen") ?? Deno.env.get("SIGNER_LISTEN") ?? "vsock://-1:5000");

const log = (event: Record<string, unknown>) =>
  console.error(JSON.stringify({ time: new Date().toISOString(), service: "signer", ...event }));

const keyStore = createKeyStore();
const methods = createSignerMethods({ keyStore, nsm: "none" });
if (listenAt.transport === "unix") {
  try { Deno.removeSync(listenAt.path); } catch { /* no stale socket */ }
}
const listener = await denoTransport.listen(listenAt);
console.log(JSON.stringify({ event: "listening", address: formatSignerAddress(listener.address) }));
log({ event: "listening", address: formatSignerAddress(listener.address) });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    listener.close();
    Deno.exit(0);
  });
}
await serveSigner(listener, methods, {
  onInternalError: (error, method) => log({ event: "internal-error", method, error: error instanceof Error ? error.name : "unknown" }),
});
