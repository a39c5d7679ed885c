import { ImdsError, ImdsErrorCode } from "./imds_error.ts";
import { parseImdsCredentials, type ImdsCredentials } from "./parse_imds_credentials.ts";

export type CreateImdsClientOptions = {
  /** @default globalThis.fetch */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** The IMDS base URL (the AWS SDKs read AWS_EC2_METADATA_SERVICE_ENDPOINT for it). @default "http://169.254.169.254" */
  endpoint?: string;
  /** Lifetime asked for each session token, 1…21600 s. @default 21600 */
  tokenTtlSeconds?: number;
  /** Per-request timeout. @default 2000 */
  timeoutMs?: number;
  /** Credentials that expire within this margin count as expired. @default 60000 */
  expiryMarginMs?: number;
  /** Current time in ms. @default Date.now */
  clock?: () => number;
};

export type ImdsClient = {
  /** The instance role's current credentials; ImdsError IMDS_CREDENTIALS_EXPIRED if IMDS serves stale ones. */
  credentials(): Promise<ImdsCredentials>;
  /** The instance's region (`meta-data/placement/region`, else the identity document). */
  region(): Promise<string>;
  instanceId(): Promise<string>;
  /** Any metadata path under `/latest/`, e.g. `meta-data/ami-id`, as text. */
  get(path: string): Promise<string>;
};

const TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER = "X-aws-ec2-metadata-token";

/**
 * An IMDSv2 client (EC2 User Guide, "Use IMDSv2"): it `PUT`s `/latest/api/token` with the TTL header, caches the
 * session token until shortly before it expires, sends it with every `GET`, and on a 401 (token expired or
 * revoked) fetches a new token once and retries. It never falls back to IMDSv1. The role name is discovered once
 * from `meta-data/iam/security-credentials/`.
 *
 * @example
 * ```ts
 * const imds = createImdsClient();
 * const { accessKeyId, expiration } = await imds.credentials();
 * const region = await imds.region();
 * ```
 */
export function createImdsClient(options: CreateImdsClientOptions = {}): ImdsClient {
  const fetchImpl = options.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
  const endpoint = (options.endpoint ?? "http://169.254.169.254").replace(/\/+$/, "");
  if (!/^https?:\/\/[^/]+$/.test(endpoint)) throw new TypeError(`Invalid IMDS endpoint ${JSON.stringify(options.endpoint)}: expected http://host[:port]`);
  const ttl = options.tokenTtlSeconds ?? 21600;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) throw new RangeError(`Invalid IMDS token TTL ${ttl}: expected 1…21600 seconds`);
  const timeoutMs = options.timeoutMs ?? 2000;
  const margin = options.expiryMarginMs ?? 60_000;
  const clock = options.clock ?? Date.now;

  let token: { value: string; renewAt: number } | undefined;
  let pendingToken: Promise<string> | undefined;
  let roleName: string | undefined;

  const send = async (path: string, init: RequestInit): Promise<Response> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetchImpl(`${endpoint}${path}`, { ...init, signal: controller.signal });
    } catch (cause) {
      throw new ImdsError(ImdsErrorCode.unavailable, `Cannot reach IMDS at ${endpoint}: ${(cause as Error).name}`, { cause });
    } finally {
      clearTimeout(timer);
    }
  };

  const fetchToken = async (): Promise<string> => {
    const requestedAt = clock();
    const response = await send("/latest/api/token", { method: "PUT", headers: { [TTL_HEADER]: String(ttl) } });
    const body = await response.text();
    if (!response.ok) throw statusError(response.status, "PUT /latest/api/token");
    if (body === "") throw new ImdsError(ImdsErrorCode.badResponse, "IMDS returned an empty session token");
    const granted = Number(response.headers.get(TTL_HEADER) ?? ttl);
    const lifetimeMs = (Number.isFinite(granted) && granted > 0 ? granted : ttl) * 1000;
    // Renew when 90% of the lifetime has passed (at least 1 s before the end), measured from the request.
    token = { value: body, renewAt: requestedAt + Math.max(lifetimeMs - Math.max(lifetimeMs / 10, 1000), 0) };
    return body;
  };

  const currentToken = (): Promise<string> => {
    if (token && clock() < token.renewAt) return Promise.resolve(token.value);
    pendingToken ??= fetchToken().finally(() => (pendingToken = undefined));
    return pendingToken;
  };

  const get = async (path: string): Promise<string> => {
    if (!/^[\w./-]+$/.test(path) || path.includes("..")) throw new TypeError(`Invalid IMDS path ${JSON.stringify(path)}`);
    const url = `/latest/${path.replace(/^\/+/, "")}`;
    for (let attempt = 0; ; attempt++) {
      const value = await currentToken();
      const response = await send(url, { method: "GET", headers: { [TOKEN_HEADER]: value } });
      const body = await response.text();
      if (response.status === 401 && attempt === 0) {
        if (token?.value === value) token = undefined; // expired or revoked: get a new one and try once more
        continue;
      }
      if (!response.ok) throw statusError(response.status, `GET ${url}`);
      return body;
    }
  };

  const credentials = async (): Promise<ImdsCredentials> => {
    if (roleName === undefined) {
      let listing: string;
      try {
        listing = await get("meta-data/iam/security-credentials/");
      } catch (error) {
        if (error instanceof ImdsError && error.code === ImdsErrorCode.refused) {
          throw new ImdsError(ImdsErrorCode.noRole, "This instance has no IAM role (no instance profile)", { cause: error });
        }
        throw error;
      }
      const name = listing.split("\n").map((line) => line.trim()).find((line) => line !== "");
      if (!name) throw new ImdsError(ImdsErrorCode.noRole, "This instance has no IAM role (empty role list)");
      roleName = name;
    }
    const parsed = parseImdsCredentials(await get(`meta-data/iam/security-credentials/${roleName}`));
    if (parsed.expiration.getTime() - margin <= clock()) {
      throw new ImdsError(
        ImdsErrorCode.credentialsExpired,
        `IMDS served role credentials that expire at ${parsed.expiration.toISOString()}, already past (or within ${margin} ms)`,
      );
    }
    return parsed;
  };

  const region = async (): Promise<string> => {
    let value: string;
    try {
      value = (await get("meta-data/placement/region")).trim();
    } catch (error) {
      if (!(error instanceof ImdsError) || error.code !== ImdsErrorCode.refused) throw error;
      const document = JSON.parse(await get("dynamic/instance-identity/document")) as { region?: unknown };
      value = typeof document.region === "string" ? document.region : "";
    }
    if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(value)) throw new ImdsError(ImdsErrorCode.badResponse, `IMDS returned an invalid region ${JSON.stringify(value)}`);
    return value;
  };

  const instanceId = async (): Promise<string> => {
    const value = (await get("meta-data/instance-id")).trim();
    if (!/^i-[0-9a-f]{8,32}$/.test(value)) throw new ImdsError(ImdsErrorCode.badResponse, `IMDS returned an invalid instance id ${JSON.stringify(value)}`);
    return value;
  };

  return { credentials, region, instanceId, get };
}

function statusError(status: number, what: string): ImdsError {
  return status >= 500 || status === 429
    ? new ImdsError(ImdsErrorCode.unavailable, `IMDS answered ${status} to ${what}`)
    : new ImdsError(ImdsErrorCode.refused, `IMDS answered ${status} to ${what}`);
}
