import { sha256, stringToBytes } from "viem";
import type { ApiKey } from "./parse_api_keys.ts";

/**
 * Finds the API key an `Authorization` header carries: `Bearer <key>`, or `Basic` with the key as the
 * password (for tools that only take credentials in the URL, `http://:<key>@host`). The presented key is
 * hashed and compared with every configured hash in constant time, without stopping at a match, so timing
 * reveals neither which key matched nor how much of one did. Returns undefined for no or an unknown key.
 *
 * @example
 * ```ts
 * const key = authenticateRequest(c.req.header("authorization"), keys);
 * if (!key) return c.json(unauthorized, 401);
 * ```
 */
export function authenticateRequest(header: string | undefined, keys: readonly ApiKey[]): ApiKey | undefined {
  const token = presentedKey(header);
  if (token === undefined) return undefined;
  const hash = sha256(stringToBytes(token), "bytes");
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (constantTimeEqual(hash, key.hash)) found = key;
  }
  return found;
}

function presentedKey(header: string | undefined): string | undefined {
  if (!header || header.length > 4096) return undefined;
  const [scheme, value] = header.trim().split(/\s+/, 2);
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === "bearer") return value;
  if (scheme.toLowerCase() === "basic") {
    try {
      const decoded = new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
      const colon = decoded.indexOf(":");
      return colon >= 0 && colon < decoded.length - 1 ? decoded.slice(colon + 1) : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** Equal-length comparison whose time does not depend on where the inputs differ. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
