/// <reference lib="deno.ns" />
/**
 * The signer process (inside the enclave in production). The only place that chooses implementations: the
 * Deno transport, the NSM (device, or simulated in dev mode), the KMS path. See `SIGNER_USAGE` for options.
 * Prints one JSON line `{"event":"listening","address":…}` on stdout when ready; logs JSON lines to stderr.
 */
import { createCredentialsStore } from "./keys/credentials_store.ts";
import { createEnclaveKeyPair } from "./keys/create_enclave_key_pair.ts";
import { createKeyStore } from "./keys/key_store.ts";
import { createSignerMethods } from "./methods/create_signer_methods.ts";
import type { Nsm } from "./nsm/nsm.ts";
import { createSimulatedNsm } from "./nsm/nsm_simulated.ts";
import { importSimulatedPki } from "./nsm/import_simulated_pki.ts";
import { parseSignerConfig, SIGNER_USAGE, type SignerConfig } from "./parse_signer_config.ts";
import { serveSigner } from "./server/serve_signer.ts";
import { formatSignerAddress } from "./transport/parse_signer_address.ts";
import { denoTransport } from "./transport/transport_deno.ts";

const log = (event: Record<string, unknown>) =>
  console.error(JSON.stringify({ time: new Date().toISOString(), service: "signer", ...event }));

if (Deno.args.includes("--help")) {
  console.log(SIGNER_USAGE);
  Deno.exit(0);
}
let config: SignerConfig;
try {
  config = parseSignerConfig(Deno.args, Deno.env.toObject());
} catch (error) {
  console.error(`signer: ${(error as Error).message}`);
  Deno.exit(2);
}

async function openNsm(config: SignerConfig): Promise<Nsm> {
  if (config.nsm === "simulated") {
    const pki = config.pkiFile ? await importSimulatedPki(await Deno.readTextFile(config.pkiFile)) : undefined;
    return createSimulatedNsm({ ...(pki ? { pki } : {}), pcrs: config.pcrs });
  }
  throw new Error("The device NSM is not available in this build");
}

const nsm = await openNsm(config);
const identity = await createEnclaveKeyPair();
const keyStore = createKeyStore();
const credentials = createCredentialsStore(config.region ? { region: config.region } : {});
const methods = createSignerMethods({ keyStore, nsm, identity, credentials });

if (config.listen.transport === "unix") {
  try { Deno.removeSync(config.listen.path); } catch { /* no stale socket */ }
}
const listener = await denoTransport.listen(config.listen);
const address = formatSignerAddress(listener.address);
console.log(JSON.stringify({ event: "listening", address }));
log({ event: "listening", address, mode: config.mode, nsm: nsm.kind });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    listener.close();
    Deno.exit(0);
  });
}
await serveSigner(listener, methods, {
  onInternalError: (error, method) => log({ event: "internal-error", method, error: error instanceof Error ? error.name : "unknown" }),
});
