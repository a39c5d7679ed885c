/** Why a request was refused before anything ran, for the reply, the metrics and the log. */
export type BrowserRefusal = {
  readonly status: 403 | 415;
  readonly reason: "forbidden_host" | "forbidden_origin" | "unsupported_media_type";
  readonly message: string;
};

export type CheckBrowserRequestOptions = {
  /** Host names (no port) the `Host` header may name, or ["*"] for any. */
  readonly allowedHosts: readonly string[];
  /** Origins a request's `Origin` header may name, or ["*"] for any; empty: no request may carry one. */
  readonly corsOrigins: readonly string[];
  /** Whether the request carries a JSON-RPC body (POST /), which must then be `application/json`. */
  readonly jsonBody: boolean;
};

/** The host names a local proxy answers to by default, as geth's `--http.vhosts` does. */
export const DEFAULT_ALLOWED_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "[::1]"];

/**
 * The default `allowedHosts` of a proxy listening on `host`: the loopback names and the listen address itself (a
 * wildcard address names no host).
 *
 * @example
 * ```ts
 * defaultAllowedHosts("10.0.0.5"); // ["localhost", "127.0.0.1", "[::1]", "10.0.0.5"]
 * ```
 */
export function defaultAllowedHosts(host: string): string[] {
  const listen = host === "0.0.0.0" || host === "::" || host === "[::]" ? [] : [host];
  return [...new Set([...DEFAULT_ALLOWED_HOSTS, ...listen])];
}

/**
 * Refuses what only a browser would send, before anything is parsed or signed (geth's `--http.vhosts` and
 * `--http.corsdomain` are the model):
 * - a `Host` not in `allowedHosts` (403): a page that rebinds its own DNS name to this address sends its own
 *   name, so it can neither send nor read replies. A request without `Host` (HTTP/1.0) is no browser's.
 * - an `Origin` not in `corsOrigins` (403): a page on another site. CORS alone would only hide the reply from
 *   it; the request would already have run.
 * - a JSON-RPC body whose `Content-Type` is not `application/json` (415): `text/plain`, forms and multipart are
 *   the types a browser sends cross-site without a preflight (Fetch §"CORS-safelisted request-header").
 *
 * @example
 * ```ts
 * const refusal = checkBrowserRequest(c.req.raw.headers, { allowedHosts: ["localhost"], corsOrigins: [], jsonBody: true });
 * if (refusal) return c.text(refusal.message, refusal.status);
 * ```
 */
export function checkBrowserRequest(headers: Headers, options: CheckBrowserRequestOptions): BrowserRefusal | undefined {
  const host = headers.get("host");
  if (host !== null && !options.allowedHosts.includes("*") && !allowsHost(options.allowedHosts, hostName(host))) {
    return { status: 403, reason: "forbidden_host", message: "Forbidden: this Host is not allowed (see --allowed-hosts)" };
  }
  const origin = headers.get("origin");
  if (origin !== null && !options.corsOrigins.includes("*") && !options.corsOrigins.includes(origin)) {
    return { status: 403, reason: "forbidden_origin", message: "Forbidden: requests from this Origin are not allowed (see --cors-origins)" };
  }
  if (options.jsonBody && mediaType(headers.get("content-type")) !== "application/json") {
    return { status: 415, reason: "unsupported_media_type", message: "Unsupported media type: send JSON-RPC with Content-Type: application/json" };
  }
  return undefined;
}

/** Whether one of `allowed` (host names, IPv6 in brackets or not) is `name`, a `Host` header's host name. */
function allowsHost(allowed: readonly string[], name: string): boolean {
  for (const host of allowed) if (hostName(host) === name) return true;
  return false;
}

/**
 * The host name of a `Host` header or an allowed host: lower case, without port or IPv6 brackets. Runs on every
 * request, so it slices rather than splits (a split is a runtime call and two arrays: issue 14's passthrough).
 */
function hostName(value: string): string {
  const text = value.trim().toLowerCase();
  if (text.startsWith("[")) {
    const end = text.indexOf("]");
    return text.slice(1, end === -1 ? undefined : end);
  }
  const colon = text.indexOf(":");
  if (colon === -1) return text;
  if (text.indexOf(":", colon + 1) !== -1) return text; // a bare IPv6 address, as --allowed-hosts may give it
  return text.slice(0, colon);
}

function mediaType(header: string | null): string | undefined {
  return header?.split(";")[0]!.trim().toLowerCase();
}
