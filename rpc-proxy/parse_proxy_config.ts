import type { SignerAddress } from "../signer/transport/transport.ts";
import { parseSignerAddress } from "../signer/transport/parse_signer_address.ts";

export type ProxyConfig = {
  host: string;
  port: number;
  upstreamUrl: string;
  signer: SignerAddress;
  maxBodyBytes: number;
  maxBatchSize: number;
};

export const PROXY_USAGE = `rpc-proxy: JSON-RPC facade in front of the enclave signer

Options (each also read from the environment variable in brackets):
  --host HOST          listen address [HOST]                  default 127.0.0.1
  --port N             listen port [PORT or PROXY_PORT]       default 8545
  --upstream URL       Ethereum node JSON-RPC URL [UPSTREAM_URL]   required
  --signer ADDRESS     signer address [SIGNER_ADDRESS]        default vsock://16:5000
                       (tcp://HOST:PORT, unix:///PATH, vsock://CID:PORT)
  --max-body-bytes N   [MAX_BODY_BYTES]                       default 1048576
  --max-batch-size N   [MAX_BATCH_SIZE]                       default 100
`;

/**
 * Reads the proxy's configuration from command-line flags, falling back to environment variables.
 * Throws TypeError with a one-line reason on bad input.
 *
 * @example
 * ```ts
 * const config = parseProxyConfig(["--upstream", "http://127.0.0.1:8546"], {});
 * ```
 */
export function parseProxyConfig(args: readonly string[], env: Readonly<Record<string, string | undefined>>): ProxyConfig {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!;
    if (!name.startsWith("--")) throw new TypeError(`Unexpected argument ${name}`);
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) throw new TypeError(`Missing value for ${name}`);
    flags.set(name.slice(2), value);
    i++;
  }
  const known = new Set(["host", "port", "upstream", "signer", "max-body-bytes", "max-batch-size"]);
  for (const name of flags.keys()) if (!known.has(name)) throw new TypeError(`Unknown option --${name}`);
  const upstreamUrl = flags.get("upstream") ?? env.UPSTREAM_URL;
  if (!upstreamUrl) throw new TypeError("Missing --upstream URL (or UPSTREAM_URL)");
  return {
    host: flags.get("host") ?? env.HOST ?? "127.0.0.1",
    port: integer(flags.get("port") ?? env.PORT ?? env.PROXY_PORT ?? "8545", "port", 0, 65535),
    upstreamUrl,
    signer: parseSignerAddress(flags.get("signer") ?? env.SIGNER_ADDRESS ?? "vsock://16:5000"),
    maxBodyBytes: integer(flags.get("max-body-bytes") ?? env.MAX_BODY_BYTES ?? "1048576", "max-body-bytes", 1, 64 * 1024 * 1024),
    maxBatchSize: integer(flags.get("max-batch-size") ?? env.MAX_BATCH_SIZE ?? "100", "max-batch-size", 1, 10_000),
  };
}

function integer(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new TypeError(`Invalid --${name} ${text}: expected an integer in ${min}..${max}`);
  return n;
}
