import { ENCLAVE_LOG_PORT, parseSignerAddress, type SignerAddress } from "../../signer/mod.ts";
import { readFlags } from "../../common/mod.ts";
import type { RunEnclaveParameters } from "../enclave/nitro_cli.ts";
import type { SuperviseEnclaveTimings } from "../enclave/supervise_enclave.ts";

export type DaemonConfig = {
  /** Where the signer is reached: `vsock://<cid>:<port>` on an instance. */
  signer: SignerAddress;
  enclave: RunEnclaveParameters;
  /** The Nitro CLI program. */
  nitroCli: string;
  /** The AWS region; `undefined`: ask IMDS. */
  region: string | undefined;
  secretPrefix: string;
  imdsEndpoint: string;
  /** Secrets Manager endpoint override (the local stand-in); `undefined`: the regional AWS endpoint. */
  secretsEndpoint: string | undefined;
  statusFile: string;
  /** Where the signer's log stream is received; `undefined`: not received ("none"). */
  enclaveLogs: SignerAddress | undefined;
  /** The file the received log lines are appended to. */
  enclaveLogFile: string;
  timings: SuperviseEnclaveTimings;
};

export const DAEMON_USAGE = `host-agent daemon: runs the signer enclave on this instance and keeps it ready

Starts the enclave with nitro-cli, waits for the signer, pushes the instance role's IMDSv2 credentials to it
(and fresh ones before they expire), loads every key record from Secrets Manager, and writes its status to a
file that says when the enclave is ready. Restarts the enclave with backoff when it exits or stops answering.
Logs one JSON object per line on stderr. Stops (and terminates the enclave) on SIGTERM or SIGINT.

Options (each also read from the environment variable in brackets; flags win):
  --eif PATH                 enclave image [ENCLAVE_EIF_PATH]           default /opt/nitro-signer/signer.eif
  --cpu-count N              enclave vCPUs [ENCLAVE_CPU_COUNT]          default 2
  --memory-mib N             enclave memory [ENCLAVE_MEMORY_MIB]        default 1024
  --cid N                    enclave vsock CID, ≥ 4 [SIGNER_CID]        default 16
  --port N                   signer vsock port [SIGNER_PORT]            default 5000
  --signer ADDRESS           reach the signer here instead of vsock://CID:PORT [SIGNER_ADDRESS]
                             (tcp://HOST:PORT, unix:///PATH, vsock://CID:PORT)
  --name NAME                enclave name [ENCLAVE_NAME]                default nitro-signer
  --debug-mode               run a debug-mode enclave (PCRs read as zeros) [ENCLAVE_DEBUG_MODE=true]
  --nitro-cli PATH           the Nitro CLI [NITRO_CLI]                  default nitro-cli (on PATH)
  --region REGION            AWS region [AWS_REGION]                    default: from IMDS
  --secret-prefix PREFIX     key records' name prefix [SECRET_PREFIX]   default nitro-signer/keys/
  --imds-endpoint URL        [AWS_EC2_METADATA_SERVICE_ENDPOINT]        default http://169.254.169.254
  --secrets-endpoint URL     Secrets Manager endpoint [AWS_ENDPOINT_URL_SECRETS_MANAGER]  default: AWS
  --status-file PATH         [STATUS_FILE]                              default /run/nitro-signer/status.json
  --enclave-logs ADDRESS     receive the signer's log lines here [ENCLAVE_LOG_LISTEN]  default vsock://-1:5001
                             (the image streams to vsock://3:5001; unix:///PATH or tcp://H:P locally; none = off)
  --enclave-log-file PATH    append them to [SIGNER_LOG_FILE]           default /var/log/nitro-signer/signer.log
  --watch-interval-ms N      enclave and signer checks [WATCH_INTERVAL_MS]          default 5000
  --boot-timeout-ms N        start until the signer answers [BOOT_TIMEOUT_MS]       default 120000
                             (before each start the EIF's size is read: a --memory-mib below 4 × that size
                             plus the signer's headroom is refused, with both numbers in the status file)
  --key-sync-interval-ms N   reload key records while ready, 0 = never [KEY_SYNC_INTERVAL_MS]  default 300000
  --restart-backoff-ms N     first restart delay, doubling [RESTART_BACKOFF_MS]     default 1000
  --restart-backoff-max-ms N longest restart delay [RESTART_BACKOFF_MAX_MS]         default 60000
  --help                     this text
`;

const VALUE_FLAGS = [
  "eif", "cpu-count", "memory-mib", "cid", "port", "signer", "name", "nitro-cli", "region", "secret-prefix",
  "imds-endpoint", "secrets-endpoint", "status-file", "watch-interval-ms", "boot-timeout-ms",
  "key-sync-interval-ms", "restart-backoff-ms", "restart-backoff-max-ms", "enclave-logs", "enclave-log-file",
];
const BOOLEAN_FLAGS = ["debug-mode"];

/**
 * Reads the daemon's configuration from flags, falling back to the environment (the systemd unit's
 * EnvironmentFile, `/etc/nitro-signer/env`, written by deploy/). Throws TypeError or RangeError with a one-line
 * reason on bad input.
 *
 * @example
 * ```ts
 * const config = parseDaemonConfig(["--cpu-count", "4"], { AWS_REGION: "us-east-1" });
 * config.signer; // { transport: "vsock", cid: 16, port: 5000 }
 * ```
 */
export function parseDaemonConfig(args: readonly string[], env: Readonly<Record<string, string | undefined>>): DaemonConfig {
  const flags = readFlags(args, { values: VALUE_FLAGS, booleans: BOOLEAN_FLAGS });
  const pick = (flag: string, variable: string): string | undefined => {
    const value = flags.get(flag) ?? env[variable];
    return value === "" ? undefined : value;
  };
  const int = (flag: string, variable: string, fallback: number, min: number, max: number): number => {
    const text = pick(flag, variable);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new RangeError(`Invalid --${flag} ${text}: expected an integer in ${min}..${max}`);
    }
    return n;
  };
  const bool = (flag: string, variable: string): boolean => {
    const text = pick(flag, variable);
    if (text === undefined) return false;
    if (/^(true|1|yes)$/i.test(text)) return true;
    if (/^(false|0|no)$/i.test(text)) return false;
    throw new TypeError(`Invalid --${flag} ${text}: expected true or false`);
  };
  const url = (flag: string, variable: string, fallback?: string): string | undefined => {
    const text = pick(flag, variable) ?? fallback;
    if (text === undefined) return undefined;
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      throw new TypeError(`Invalid --${flag} ${text}: not a URL`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new TypeError(`Invalid --${flag} ${text}: expected http(s)://`);
    return text.replace(/\/+$/, "");
  };

  const cid = int("cid", "SIGNER_CID", 16, 4, 0xfffffffe);
  const port = int("port", "SIGNER_PORT", 5000, 1, 0xffffffff);
  const signerText = pick("signer", "SIGNER_ADDRESS");
  const signer = signerText === undefined ? { transport: "vsock" as const, cid, port } : parseSignerAddress(signerText);

  const name = pick("name", "ENCLAVE_NAME") ?? "nitro-signer";
  if (!/^[\w.-]{1,64}$/.test(name)) throw new TypeError(`Invalid --name ${name}: letters, digits, ".", "_" and "-" only`);
  const region = pick("region", "AWS_REGION");
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new TypeError(`Invalid --region ${region}`);
  const secretPrefix = pick("secret-prefix", "SECRET_PREFIX") ?? "nitro-signer/keys/";
  if (!/^[\w/+=.@-]{1,256}$/.test(secretPrefix)) throw new TypeError(`Invalid --secret-prefix ${secretPrefix}`);

  const backoffInitial = int("restart-backoff-ms", "RESTART_BACKOFF_MS", 1000, 0, 3600_000);
  const backoffMax = int("restart-backoff-max-ms", "RESTART_BACKOFF_MAX_MS", Math.max(60_000, backoffInitial), 0, 24 * 3600_000);
  if (backoffMax < backoffInitial) throw new RangeError(`Invalid --restart-backoff-max-ms ${backoffMax}: below --restart-backoff-ms ${backoffInitial}`);

  const enclaveLogsText = pick("enclave-logs", "ENCLAVE_LOG_LISTEN") ?? `vsock://-1:${ENCLAVE_LOG_PORT}`;
  let enclaveLogs: SignerAddress | undefined;
  try {
    enclaveLogs = enclaveLogsText === "none" ? undefined : parseSignerAddress(enclaveLogsText);
  } catch (error) {
    throw new TypeError(`Invalid --enclave-logs ${enclaveLogsText}: ${(error as Error).message}`);
  }

  return {
    signer,
    enclaveLogs,
    enclaveLogFile: pick("enclave-log-file", "SIGNER_LOG_FILE") ?? "/var/log/nitro-signer/signer.log",
    enclave: {
      eifPath: pick("eif", "ENCLAVE_EIF_PATH") ?? "/opt/nitro-signer/signer.eif",
      cpuCount: int("cpu-count", "ENCLAVE_CPU_COUNT", 2, 1, 1024),
      memoryMib: int("memory-mib", "ENCLAVE_MEMORY_MIB", 1024, 64, 4 * 1024 * 1024),
      cid,
      name,
      debugMode: bool("debug-mode", "ENCLAVE_DEBUG_MODE"),
    },
    nitroCli: pick("nitro-cli", "NITRO_CLI") ?? "nitro-cli",
    region,
    secretPrefix,
    imdsEndpoint: url("imds-endpoint", "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://169.254.169.254")!,
    secretsEndpoint: url("secrets-endpoint", "AWS_ENDPOINT_URL_SECRETS_MANAGER"),
    statusFile: pick("status-file", "STATUS_FILE") ?? "/run/nitro-signer/status.json",
    timings: {
      watchIntervalMs: int("watch-interval-ms", "WATCH_INTERVAL_MS", 5000, 10, 3600_000),
      bootTimeoutMs: int("boot-timeout-ms", "BOOT_TIMEOUT_MS", 120_000, 100, 3600_000),
      keySyncIntervalMs: int("key-sync-interval-ms", "KEY_SYNC_INTERVAL_MS", 300_000, 0, 24 * 3600_000),
      restartBackoff: { initialMs: backoffInitial, maxMs: backoffMax },
    },
  };
}
