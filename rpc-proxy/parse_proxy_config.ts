import { parseSignerAddress, type SignerAddress } from "../signer/mod.ts";
import { readFlags } from "../common/mod.ts";
import { defaultAllowedHosts } from "./auth/check_browser_request.ts";
import { parseApiKeys, type ApiKey } from "./auth/parse_api_keys.ts";

export type ProxyConfig = {
  host: string;
  port: number;
  upstreamUrl: string;
  signer: SignerAddress;
  maxBodyBytes: number;
  maxBatchSize: number;
  /** Absent: no authentication. Present but empty: every JSON-RPC request is refused (401). */
  apiKeys?: ApiKey[];
  /** Empty or absent: CORS off, and every request that carries an Origin refused. */
  corsOrigins?: string[];
  /** Host names the Host header may name, or ["*"]. @default localhost, 127.0.0.1, [::1] and `host` */
  allowedHosts?: string[];
  /** One JSON line per request to stderr. @default true */
  logRequests?: boolean;
  /** Send the proxy's own calls to the node as JSON-RPC batches (off for a node that refuses batches). @default true */
  upstreamBatches?: boolean;
  /** The fleet's DynamoDB state table (docs/fleet-state.md). @default none: nonces in memory, no window records */
  stateTable?: string;
  /** DynamoDB endpoint URL (local stand-in, tests). @default the SDK's regional endpoint */
  dynamodbEndpoint?: string;
  /** AWS region of the state table, from AWS_REGION (or AWS_DEFAULT_REGION). */
  region?: string;
};

export const PROXY_USAGE = `rpc-proxy: JSON-RPC facade in front of the enclave signer

Options (each also read from the environment variable in brackets):
  --host HOST            listen address [HOST]                  default 127.0.0.1
  --port N               listen port [PORT or PROXY_PORT]       default 8545
  --upstream URL         Ethereum node JSON-RPC URL [UPSTREAM_URL]   required
  --signer ADDRESS       signer address [SIGNER_ADDRESS]        default vsock://16:5000
                         (tcp://HOST:PORT, unix:///PATH, vsock://CID:PORT)
  --max-body-bytes N     [MAX_BODY_BYTES]                       default 1048576 (HTTP 413 above)
  --max-batch-size N     [MAX_BATCH_SIZE]                       default 100 (-32600 above)
  --api-keys FILE        API keys, JSON [API_KEYS_FILE]         default none (no authentication)
                         [{ "name": "…", "key": "…" | "keySha256": "<hex>", "accounts": ["0x…" | "*"],
                            "methods": ["read","sign","send","attest","node-admin" | "*"] }]
                         a file holding [] refuses every JSON-RPC request (401) until keys are added
  --cors-origins LIST    comma-separated origins, or * [CORS_ORIGINS]   default none (CORS off;
                         a request carrying any Origin header is refused with 403)
  --allowed-hosts LIST   comma-separated host names the Host header may name, or * [ALLOWED_HOSTS]
                         default localhost,127.0.0.1,[::1] and --host (403 otherwise)
  --log-requests on|off  one JSON line per request on stderr [LOG_REQUESTS]   default on
  --upstream-batches on|off  the proxy's own calls to the node as JSON-RPC batches [UPSTREAM_BATCHES]
                         default on; off for a node or provider that refuses batches
  --state-table NAME     the fleet's DynamoDB table: shared nonce leases and spend windows [STATE_TABLE]
                         default none (nonces in this instance's memory, no window records); region from
                         AWS_REGION, credentials from the AWS SDK's default chain (the instance role on AWS)
  --dynamodb-endpoint URL  DynamoDB endpoint (the local stand-in, tests) [DYNAMODB_ENDPOINT]

Endpoints: POST / (JSON-RPC 2.0), GET /healthz, GET /readyz, GET /metrics (Prometheus).
`;

const KNOWN = [
  "host", "port", "upstream", "signer", "max-body-bytes", "max-batch-size", "api-keys", "cors-origins", "allowed-hosts",
  "log-requests", "upstream-batches", "state-table", "dynamodb-endpoint",
];

/**
 * Reads the proxy's configuration from command-line flags, falling back to environment variables. Files
 * (the API keys) are read through `readTextFile`, so this stays free of runtime I/O. Throws TypeError or
 * RangeError with a one-line reason on bad input; a reason never contains a key.
 *
 * @example
 * ```ts
 * const config = parseProxyConfig(["--upstream", "http://127.0.0.1:8546"], {}, { readTextFile: (p) => readFileSync(p, "utf8") });
 * ```
 */
export function parseProxyConfig(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: { readTextFile?: (path: string) => string } = {},
): ProxyConfig {
  const flags = readFlags(args, { values: KNOWN });
  const upstreamUrl = flags.get("upstream") ?? env.UPSTREAM_URL;
  if (!upstreamUrl) throw new TypeError("Missing --upstream URL (or UPSTREAM_URL)");
  const apiKeysFile = flags.get("api-keys") ?? env.API_KEYS_FILE;
  const host = flags.get("host") ?? env.HOST ?? "127.0.0.1";
  const stateTable = flags.get("state-table") ?? env.STATE_TABLE;
  const dynamodbEndpoint = flags.get("dynamodb-endpoint") ?? env.DYNAMODB_ENDPOINT;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (stateTable !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(stateTable)) {
    throw new TypeError(`Invalid --state-table ${stateTable}: expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
  }
  if (dynamodbEndpoint !== undefined && !/^https?:\/\/[^/?#\s]+\/?$/.test(dynamodbEndpoint)) {
    throw new TypeError("Invalid --dynamodb-endpoint: expected an http(s) URL like http://127.0.0.1:8000");
  }
  if (dynamodbEndpoint !== undefined && stateTable === undefined) throw new TypeError("--dynamodb-endpoint needs --state-table");
  if (stateTable !== undefined && !region) throw new TypeError("--state-table needs the table's region in AWS_REGION");
  return {
    host,
    port: integer(flags.get("port") ?? env.PORT ?? env.PROXY_PORT ?? "8545", "port", 0, 65535),
    upstreamUrl,
    signer: parseSignerAddress(flags.get("signer") ?? env.SIGNER_ADDRESS ?? "vsock://16:5000"),
    maxBodyBytes: integer(flags.get("max-body-bytes") ?? env.MAX_BODY_BYTES ?? "1048576", "max-body-bytes", 1, 64 * 1024 * 1024),
    maxBatchSize: integer(flags.get("max-batch-size") ?? env.MAX_BATCH_SIZE ?? "100", "max-batch-size", 1, 10_000),
    ...(apiKeysFile ? { apiKeys: readApiKeys(apiKeysFile, io.readTextFile) } : {}),
    corsOrigins: corsOrigins(flags.get("cors-origins") ?? env.CORS_ORIGINS ?? ""),
    allowedHosts: parseAllowedHosts(flags.get("allowed-hosts") ?? env.ALLOWED_HOSTS, host),
    logRequests: onOff(flags.get("log-requests") ?? env.LOG_REQUESTS ?? "on", "log-requests"),
    upstreamBatches: onOff(flags.get("upstream-batches") ?? env.UPSTREAM_BATCHES ?? "on", "upstream-batches"),
    ...(stateTable === undefined ? {} : { stateTable, region: region! }),
    ...(dynamodbEndpoint === undefined ? {} : { dynamodbEndpoint }),
  };
}

function onOff(text: string, name: string): boolean {
  if (text === "on" || text === "true") return true;
  if (text === "off" || text === "false") return false;
  throw new TypeError(`Invalid --${name} ${text}: expected on or off`);
}

function readApiKeys(path: string, readTextFile: ((path: string) => string) | undefined): ApiKey[] {
  if (!readTextFile) throw new TypeError("Cannot read --api-keys: no file access in this runtime");
  let text: string;
  try {
    text = readTextFile(path);
  } catch (error) {
    throw new TypeError(`Cannot read --api-keys ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TypeError(`Cannot parse --api-keys ${path}: not valid JSON`);
  }
  return parseApiKeys(json);
}

/** `--allowed-hosts`, checked; absent, `defaultAllowedHosts(host)`. */
export function parseAllowedHosts(text: string | undefined, host: string): string[] {
  if (text === undefined) return defaultAllowedHosts(host);
  const hosts = text.split(",").map((h) => h.trim()).filter((h) => h.length > 0);
  if (hosts.length === 0) throw new TypeError("Invalid --allowed-hosts: expected host names, or *");
  for (const name of hosts) {
    if (name !== "*" && !/^(\[[0-9a-fA-F:.]+\]|[0-9a-fA-F]*:[0-9a-fA-F]*:[0-9a-fA-F:.]*|[A-Za-z0-9.-]+)$/.test(name)) {
      throw new TypeError(`Invalid --allowed-hosts entry ${name}: expected a host name without port, like node.example or 10.0.0.5`);
    }
  }
  return hosts;
}

function corsOrigins(text: string): string[] {
  const origins = text.split(",").map((o) => o.trim()).filter((o) => o.length > 0);
  for (const origin of origins) {
    if (origin === "*") continue;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      throw new TypeError(`Invalid --cors-origins entry ${origin}: expected an origin like https://app.example`);
    }
    if (url.origin !== origin) throw new TypeError(`Invalid --cors-origins entry ${origin}: expected an origin like ${url.origin}`);
  }
  return origins;
}

function integer(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new TypeError(`Invalid --${name} ${text}: expected an integer in ${min}..${max}`);
  return n;
}
