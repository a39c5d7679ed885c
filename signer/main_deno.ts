/// <reference lib="deno.ns" />
/**
 * The signer process (inside the enclave in production). The only place that chooses implementations: the
 * Deno transport, the NSM (device, or simulated in dev mode), the KMS path, the secp256k1 curve (native
 * libsecp256k1, required in enclave mode; the WebAssembly build as dev mode's explicit fallback). See `SIGNER_USAGE` for options.
 * Prints one JSON line `{"event":"listening","address":…}` on stdout when ready; logs JSON lines to stderr and,
 * with `--log-to`, to the host-agent's log receiver.
 */
import { createCredentialsStore, NoCredentialsError } from "./credentials/credentials_store.ts";
import { createEnclaveKeyPair } from "./keys/create_enclave_key_pair.ts";
import { createKeyStore } from "./keys/key_store.ts";
import { createKmsKeyVault } from "./keys/create_kms_key_vault.ts";
import { createKmsClient, type KmsClient } from "./kms/create_kms_client.ts";
import { kmsConnectDeno } from "./kms/kms_connect_deno.ts";
import { openDeviceNsm } from "./nsm/nsm_device_deno.ts";
import { createSignerMethods } from "./methods/create_signer_methods.ts";
import type { Nsm } from "./nsm/nsm.ts";
import { createSimulatedNsm } from "./nsm/simulated/nsm_simulated.ts";
import { importSimulatedPki } from "./nsm/simulated/import_simulated_pki.ts";
import { parseSignerConfig, SIGNER_USAGE, type SignerConfig } from "./parse_signer_config.ts";
import { serveSigner } from "./server/serve_signer.ts";
import { createLogStream, type LogStream } from "./logging/create_log_stream.ts";
import { openCurveDeno } from "./signing/open_curve_deno.ts";
import { createInlineSigningPool } from "./workers/create_inline_signing_pool.ts";
import { createWorkerSigningPool } from "./workers/create_worker_signing_pool.ts";
import { spawnSigningWorkerDeno } from "./workers/spawn_signing_worker_deno.ts";
import { formatSignerAddress } from "./transport/parse_signer_address.ts";
import { denoTransport } from "./transport/transport_deno.ts";

// Log lines: JSON on stderr (the console, readable only in a debug-mode enclave) and, with --log-to, streamed to
// the host-agent, which writes them to the parent's signer.log. Events, method names, error names and codes only:
// never a key, a credential, params or an error message (messages can echo params).
let logStream: LogStream | undefined;
const log = (event: Record<string, unknown>) => {
  const line = JSON.stringify({ time: new Date().toISOString(), service: "signer", ...event });
  console.error(line);
  logStream?.write(line);
};

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
  return openDeviceNsm();
}

/** One KMS client per region, made on first use; credentials are read from the store on every request. */
function kmsClients(config: SignerConfig, credentials: ReturnType<typeof createCredentialsStore>, caCertificates: string[]) {
  const clients = new Map<string, KmsClient>();
  if (config.kmsProxy.transport === "unix") throw new TypeError("--kms-proxy must be a vsock:// or tcp:// address");
  const connect = kmsConnectDeno(config.kmsProxy);
  return () => {
    const region = credentials.region();
    // The host-agent's credentials.put brings the region; until then this is NO_CREDENTIALS, not INTERNAL.
    if (!region) throw new NoCredentialsError("No AWS region: give --region or push credentials with a region");
    let client = clients.get(region);
    if (!client) {
      client = createKmsClient({ region, connect, credentialsProvider: async () => credentials.get(), caCertificates });
      clients.set(region, client);
    }
    return client;
  };
}

// The curve, before anything else is started: in enclave mode a missing library or a failed self-test stops here.
let signingCurve: ReturnType<typeof openCurveDeno>;
try {
  signingCurve = openCurveDeno(config.curve, config.secp256k1 === undefined ? {} : { library: config.secp256k1 });
} catch (error) {
  console.error(`signer: ${(error as Error).message}`);
  Deno.exit(1);
}
const curve = signingCurve.curve;

if (config.logTo) logStream = createLogStream(denoTransport, config.logTo, { maxBufferedBytes: config.logBufferBytes });
const nsm = await openNsm(config);
const identity = await createEnclaveKeyPair();
// Keys live in the signing workers (one per core by default); the main thread keeps framing and dispatch.
const workers = config.workers ?? Math.min(64, Math.max(1, navigator.hardwareConcurrency || 1));
if (signingCurve.fallback) log({ event: "curve-fallback", curve: curve.name, reason: signingCurve.fallback });
// Each worker opens its own context of the curve chosen here; with no workers this thread signs with it.
if (workers > 0) signingCurve.close();
const workerConfig = { curve: curve.name, ...(config.secp256k1 === undefined ? {} : { library: config.secp256k1 }) };
const pool = workers === 0
  ? createInlineSigningPool({ curve })
  : createWorkerSigningPool(() => spawnSigningWorkerDeno(workerConfig), {
    workers,
    onWorkerError: (error) => log({ event: "signing-worker-failed", error: error instanceof Error ? error.name : "unknown" }),
  });
const keyStore = createKeyStore({ pool });
const credentials = createCredentialsStore(config.region ? { region: config.region } : {});
const caCertificates = config.kmsCaFile ? [await Deno.readTextFile(config.kmsCaFile)] : [];
const vault = createKmsKeyVault({ client: kmsClients(config, credentials, caCertificates), nsm, identity });
const signerMethods = createSignerMethods({ keyStore, nsm, identity, credentials, vault, windows: config.windows });
// describe also names the curve (issue 19), so an operator and the bench can see which one signs.
const methods = { ...signerMethods, describe: async (params: unknown) => ({ ...(await signerMethods.describe!(params) as object), curve: curve.name }) };

if (config.listen.transport === "unix") {
  try { Deno.removeSync(config.listen.path); } catch { /* no stale socket */ }
}
const listener = await denoTransport.listen(config.listen);
const address = formatSignerAddress(listener.address);
console.log(JSON.stringify({ event: "listening", address }));
log({ event: "listening", address, mode: config.mode, nsm: nsm.kind, workers, curve: curve.name, windows: config.windows, ...(config.logTo ? { logTo: formatSignerAddress(config.logTo) } : {}) });

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, () => {
    listener.close();
    pool.close();
    logStream?.close();
    Deno.exit(0);
  });
}
await serveSigner(listener, methods, {
  onInternalError: (error, method) => log({ event: "internal-error", method, error: error instanceof Error ? error.name : "unknown" }),
  onRefusal: (method, code) => log({ event: "refused", method, code }),
});
