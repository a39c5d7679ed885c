import type { CurveChoice } from "./signing/curve.ts";
import type { SignerAddress } from "./transport/transport.ts";
import { parsePcrArgument, readFlags } from "../common/mod.ts";
import { parseSignerAddress } from "./transport/parse_signer_address.ts";

export type SignerConfig = {
  listen: SignerAddress;
  /** `enclave` (default): the real NSM and the system's TLS roots only. `dev`: local stack and tests. */
  mode: "enclave" | "dev";
  nsm: "device" | "simulated";
  /** dev: the simulated NSM's PKI (JSON from exportSimulatedPki); absent, a fresh one nobody trusts. */
  pkiFile?: string;
  /** dev: the simulated NSM's PCRs, index → 96 hex digits. */
  pcrs: Record<number, string>;
  /** Where KMS is reached: the parent's vsock-proxy (TLS to KMS runs inside the signer over this stream). */
  kmsProxy: SignerAddress;
  /** dev: an extra CA to trust for KMS (the local stand-in's). */
  kmsCaFile?: string;
  /** AWS region; may also come with `credentials.put`. */
  region?: string;
  /**
   * The secp256k1 implementation (issue 19): `native` (libsecp256k1 through FFI, self-tested at start; required in
   * enclave mode), `wasm` (the WebAssembly build), or `auto` (native if it loads and passes its self-test, else wasm,
   * said once in the log). @default native in enclave mode, auto in dev mode
   */
  curve: CurveChoice;
  /** The native library: a soname searched by dlopen, or a path. @default libsecp256k1.so.1 */
  secp256k1?: string;
  /**
   * Where the policy limits' windows live (issue 13): `memory` (this instance's memory, as before) or `fleet` (the
   * fleet's table, as records the caller presents and this signer authenticates; docs/fleet-state.md).
   * @default fleet in enclave mode, memory in dev mode
   */
  windows: "memory" | "fleet";
  /** Signing worker threads. @default one per core */
  workers?: number;
  /** Where the log lines are streamed (the host-agent's receiver); absent, stderr only. */
  logTo?: SignerAddress;
  /** Most bytes of log lines held while the receiver is absent or slow (then lines are dropped and counted). */
  logBufferBytes: number;
};

export const SIGNER_USAGE = `signer: the enclave signer (Deno)

  --listen ADDRESS     [SIGNER_LISTEN]  default vsock://-1:5000 (tcp://H:P, unix:///PATH, vsock://CID:PORT)
  --mode enclave|dev   [SIGNER_MODE]    default enclave (real NSM; dev allows the simulated NSM)
  --nsm device|simulated                default device in enclave mode, simulated in dev mode
  --pki FILE           dev: simulated NSM PKI (JSON)
  --pcr N=HEX          dev: a simulated PCR value (repeatable)
  --kms-proxy ADDRESS  [KMS_PROXY]      default vsock://3:8000
  --kms-ca FILE        dev: extra CA certificate (PEM) trusted for KMS
  --region REGION      [AWS_REGION]
  --workers N          [SIGNER_WORKERS] signing threads, default one per core
  --curve native|wasm|auto [SIGNER_CURVE] secp256k1: native libsecp256k1 (FFI) or its WebAssembly build;
                                        default native in enclave mode (required there), auto in dev mode
                                        (native if Debian's libsecp256k1-1 is installed, else wasm)
  --secp256k1 LIB      [SIGNER_SECP256K1] the native library, default libsecp256k1.so.1
  --windows memory|fleet [SIGNER_WINDOWS] where policy limits' windows live: this signer's memory, or the
                                        fleet's table (records the caller presents, docs/fleet-state.md);
                                        default fleet in enclave mode, memory in dev mode
  --log-to ADDRESS     [SIGNER_LOG_TO]  also stream the JSON log lines to the host-agent's receiver here
                                        (the image: vsock://3:5001; locally unix:///PATH or tcp://H:P); default
                                        stderr only. Never blocks: a missing or slow receiver costs dropped
                                        lines, counted in a "log-lines-dropped" line once it is back
  --log-buffer-bytes N [SIGNER_LOG_BUFFER_BYTES] log bytes held for the receiver, default 262144
`;

/**
 * Reads the signer's configuration from flags and environment. The simulated NSM and extra KMS CAs are
 * refused unless `--mode dev` is given explicitly, so a production image cannot be started with them by
 * accident. Throws TypeError with a one-line reason.
 *
 * @example
 * ```ts
 * const config = parseSignerConfig(Deno.args, Deno.env.toObject());
 * ```
 */
export function parseSignerConfig(args: readonly string[], env: Readonly<Record<string, string | undefined>>): SignerConfig {
  const flags = readFlags(args, {
    values: ["listen", "mode", "nsm", "pki", "pcr", "kms-proxy", "kms-ca", "region", "workers", "curve", "secp256k1", "windows", "log-to", "log-buffer-bytes"],
    repeatable: ["pcr"],
  });
  const pcrs: Record<number, string> = {};
  for (const value of flags.all("pcr")) {
    const { index, hex } = parsePcrArgument(value);
    pcrs[index] = hex;
  }
  const mode = flags.get("mode") ?? env.SIGNER_MODE ?? "enclave";
  if (mode !== "enclave" && mode !== "dev") throw new TypeError(`Invalid --mode ${mode}: expected enclave or dev`);
  const nsm = flags.get("nsm") ?? (mode === "dev" ? "simulated" : "device");
  if (nsm !== "device" && nsm !== "simulated") throw new TypeError(`Invalid --nsm ${nsm}: expected device or simulated`);
  if (mode === "enclave") {
    if (nsm === "simulated") throw new TypeError("Refusing the simulated NSM in enclave mode: start with --mode dev for local use");
    for (const devOnly of ["pki", "kms-ca"]) if (flags.has(devOnly)) throw new TypeError(`--${devOnly} is only allowed with --mode dev`);
    if (Object.keys(pcrs).length > 0) throw new TypeError("--pcr is only allowed with --mode dev");
  }
  const curve = flags.get("curve") ?? (env.SIGNER_CURVE || undefined) ?? (mode === "enclave" ? "native" : "auto");
  if (curve !== "native" && curve !== "wasm" && curve !== "auto") throw new TypeError(`Invalid --curve ${curve}: expected native, wasm or auto`);
  // No fallback in production: the enclave signs with the constant-time native library or not at all.
  if (mode === "enclave" && curve !== "native") throw new TypeError(`Refusing --curve ${curve} in enclave mode: the enclave signs with native libsecp256k1 only`);
  const windows = flags.get("windows") ?? (env.SIGNER_WINDOWS || undefined) ?? (mode === "enclave" ? "fleet" : "memory");
  if (windows !== "memory" && windows !== "fleet") throw new TypeError(`Invalid --windows ${windows}: expected memory or fleet`);
  const secp256k1 = flags.get("secp256k1") ?? (env.SIGNER_SECP256K1 || undefined);
  if (secp256k1 === "") throw new TypeError("Invalid --secp256k1: empty");
  const workersText = flags.get("workers") ?? env.SIGNER_WORKERS;
  const workers = workersText === undefined ? undefined : Number(workersText);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0 || workers > 64)) {
    throw new TypeError(`Invalid --workers ${workersText}: expected 0..64`);
  }
  const logBufferText = flags.get("log-buffer-bytes") ?? env.SIGNER_LOG_BUFFER_BYTES;
  const logBufferBytes = logBufferText === undefined ? 256 * 1024 : Number(logBufferText);
  if (!/^\d+$/.test(logBufferText ?? "0") || !Number.isSafeInteger(logBufferBytes) || logBufferBytes < 1024 || logBufferBytes > 64 * 1024 * 1024) {
    throw new RangeError(`Invalid --log-buffer-bytes ${logBufferText}: expected 1024..67108864`);
  }
  const logToText = flags.get("log-to") ?? env.SIGNER_LOG_TO;
  const logTo = logToText === undefined || logToText === "" ? undefined : parseSignerAddress(logToText);
  const region = flags.get("region") ?? env.AWS_REGION;
  const pkiFile = flags.get("pki");
  const kmsCaFile = flags.get("kms-ca");
  return {
    listen: parseSignerAddress(flags.get("listen") ?? env.SIGNER_LISTEN ?? "vsock://-1:5000"),
    mode,
    nsm,
    pcrs,
    kmsProxy: parseSignerAddress(flags.get("kms-proxy") ?? env.KMS_PROXY ?? "vsock://3:8000"),
    ...(pkiFile === undefined ? {} : { pkiFile }),
    ...(kmsCaFile === undefined ? {} : { kmsCaFile }),
    ...(region === undefined ? {} : { region }),
    curve,
    windows,
    ...(secp256k1 === undefined ? {} : { secp256k1 }),
    ...(workers === undefined ? {} : { workers }),
    ...(logTo === undefined ? {} : { logTo }),
    logBufferBytes,
  };
}
