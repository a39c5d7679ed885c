/**
 * The EC2 instance metadata service (IMDSv2) as a web-standard fetch handler, for the local stack and the
 * host-agent's tests. It enforces what the real service enforces for an instance launched with
 * `HttpTokens=required`:
 *
 * - `PUT /latest/api/token` needs `X-aws-ec2-metadata-token-ttl-seconds` (1…21600), else 400; a request with
 *   `X-Forwarded-For` is refused with 403 (IMDS does not serve requests that went through a proxy).
 * - every `GET` needs `X-aws-ec2-metadata-token` with a token that has not expired, else 401.
 * - role credentials are temporary (`ASIA…`, a session token, an `Expiration`), re-issued before they expire,
 *   and can be made to come back already expired (`serveExpired`) to test what the agent does then.
 *
 * Paths served: `meta-data/instance-id`, `meta-data/placement/region`, `meta-data/placement/availability-zone`,
 * `meta-data/iam/security-credentials/[role]`, `dynamic/instance-identity/document`; anything else is 404.
 */

export type ImdsStandInCredentials = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  /** ms since the epoch */
  readonly expiration: number;
  /** ms since the epoch */
  readonly issuedAt: number;
};

export type CreateImdsHandlerOptions = {
  /** @default "us-east-1" */
  readonly region?: string;
  /** @default "i-0123456789abcdef0" */
  readonly instanceId?: string;
  /** The instance profile's role name; `null` serves an instance without a role (404). @default "nitro-signer-instance" */
  readonly roleName?: string | null;
  /** @default "111122223333" */
  readonly accountId?: string;
  /** How long issued credentials live. @default 6 hours */
  readonly credentialLifetimeMs?: number;
  /** New credentials are issued when the current ones expire within this window (EC2: at least 5 min). @default 15 min */
  readonly reissueBeforeMs?: number;
  /** Current time in ms. @default Date.now */
  readonly clock?: () => number;
};

export type ImdsHandler = {
  readonly fetch: (request: Request) => Promise<Response>;
  /** Every credential set issued so far, newest last (give them to the other stand-ins as accepted keys). */
  issued(): readonly ImdsStandInCredentials[];
  /** Issue a new credential set now (as EC2 does on rotation). */
  rotate(): ImdsStandInCredentials;
  /** Serve credentials whose `Expiration` is already in the past (a broken or stale IMDS). */
  setServeExpired(value: boolean): void;
  /** Answer every request with 503 (IMDS unavailable / throttled). */
  setUnavailable(value: boolean): void;
  /** Requests seen, oldest first: method, path and whether a valid token came with it. */
  readonly requests: { method: string; path: string; token: "none" | "valid" | "invalid" }[];
};

const TTL_HEADER = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER = "x-aws-ec2-metadata-token";
const MAX_TTL_SECONDS = 21600;
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/**
 * @example
 * ```ts
 * const imds = createImdsHandler({ region: "eu-west-1" });
 * const response = await imds.fetch(new Request("http://imds/latest/api/token", {
 *   method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60" } }));
 * ```
 */
export function createImdsHandler(options: CreateImdsHandlerOptions = {}): ImdsHandler {
  const clock = options.clock ?? Date.now;
  const region = options.region ?? "us-east-1";
  const instanceId = options.instanceId ?? "i-0123456789abcdef0";
  const roleName = options.roleName === undefined ? "nitro-signer-instance" : options.roleName;
  const accountId = options.accountId ?? "111122223333";
  const lifetime = options.credentialLifetimeMs ?? 6 * 3600_000;
  const reissueBefore = options.reissueBeforeMs ?? 15 * 60_000;
  const tokens = new Map<string, number>();
  const issued: ImdsStandInCredentials[] = [];
  const requests: ImdsHandler["requests"] = [];
  let serveExpired = false;
  let unavailable = false;

  const rotate = (): ImdsStandInCredentials => {
    const now = clock();
    const credentials = {
      accessKeyId: `ASIA${random(BASE32, 16)}`,
      secretAccessKey: random(BASE32 + "abcdefghijklmnopqrstuvwxyz0123456789", 40),
      sessionToken: random(BASE32 + "abcdefghijklmnopqrstuvwxyz0123456789", 120),
      expiration: now + lifetime,
      issuedAt: now,
    };
    issued.push(credentials);
    return credentials;
  };
  const current = (): ImdsStandInCredentials => {
    const last = issued.at(-1);
    return last && last.expiration - clock() > reissueBefore ? last : rotate();
  };

  const text = (status: number, body: string, headers: Record<string, string> = {}) =>
    new Response(body, { status, headers: { "content-type": "text/plain", ...headers } });

  const fetch = async (request: Request): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const token = request.headers.get(TOKEN_HEADER);
    const expiresAt = token === null ? undefined : tokens.get(token);
    const tokenState = token === null ? "none" : expiresAt !== undefined && expiresAt > clock() ? "valid" : "invalid";
    requests.push({ method: request.method, path, token: tokenState });
    if (unavailable) return text(503, "Service Unavailable");

    if (path === "/latest/api/token") {
      if (request.method !== "PUT") return text(405, "Method Not Allowed");
      if (request.headers.has("x-forwarded-for")) return text(403, "Forbidden");
      const ttlText = request.headers.get(TTL_HEADER);
      const ttl = Number(ttlText);
      if (ttlText === null || !/^\d+$/.test(ttlText) || ttl < 1 || ttl > MAX_TTL_SECONDS) return text(400, "Bad Request");
      const value = random(BASE32, 56);
      tokens.set(value, clock() + ttl * 1000);
      return text(200, value, { [TTL_HEADER]: String(ttl) });
    }
    if (request.method !== "GET") return text(405, "Method Not Allowed");
    if (tokenState !== "valid") return text(401, "Unauthorized");

    const metadata: Record<string, () => Response> = {
      "/latest/meta-data/instance-id": () => text(200, instanceId),
      "/latest/meta-data/placement/region": () => text(200, region),
      "/latest/meta-data/placement/availability-zone": () => text(200, `${region}a`),
      "/latest/dynamic/instance-identity/document": () =>
        Response.json({
          accountId,
          architecture: "x86_64",
          availabilityZone: `${region}a`,
          imageId: "ami-0123456789abcdef0",
          instanceId,
          instanceType: "m5a.xlarge",
          pendingTime: new Date(issued[0]?.issuedAt ?? clock()).toISOString().replace(/\.\d{3}Z$/, "Z"),
          privateIp: "10.0.1.10",
          region,
          version: "2017-09-30",
        }),
    };
    const answer = metadata[path];
    if (answer) return answer();
    if (path === "/latest/meta-data/iam/security-credentials/" || path === "/latest/meta-data/iam/security-credentials") {
      return roleName === null ? text(404, "Not Found") : text(200, roleName);
    }
    if (roleName !== null && path === `/latest/meta-data/iam/security-credentials/${roleName}`) {
      const c = serveExpired ? { ...(issued.at(-1) ?? rotate()), expiration: clock() - 60_000 } : current();
      return Response.json({
        Code: "Success",
        LastUpdated: iso(c.issuedAt),
        Type: "AWS-HMAC",
        AccessKeyId: c.accessKeyId,
        SecretAccessKey: c.secretAccessKey,
        Token: c.sessionToken,
        Expiration: iso(c.expiration),
      });
    }
    return text(404, "Not Found");
  };

  return {
    fetch,
    issued: () => issued,
    rotate,
    setServeExpired: (value) => void (serveExpired = value),
    setUnavailable: (value) => void (unavailable = value),
    requests,
  };
}

/** IMDS writes times without milliseconds: `2026-11-26T01:02:03Z`. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function random(alphabet: string, length: number): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join("");
}
