import { AttestationError } from "./attestation_error.ts";

/** One JSON-RPC call of a batch: method and params. */
export type JsonRpcCall = { readonly method: string; readonly params: readonly unknown[] };

/**
 * Sends `calls` to `url` as one JSON-RPC 2.0 batch (one call: a single request) with `fetch` and returns each
 * result in order. Any failure (network, HTTP status, JSON-RPC error, an answer that is not JSON-RPC) throws
 * `AttestationError` code `transport`, whose message names the URL without credentials (only its origin).
 * Internal: the requests `verifySigner()` makes, outside the user's viem or ethers transport.
 *
 * @example
 * ```ts
 * const [accounts] = await jsonRpcRequest(url, [{ method: "eth_accounts", params: [] }], {});
 * ```
 */
export async function jsonRpcRequest(url: string, calls: readonly JsonRpcCall[], fetchOptions: RequestInit): Promise<unknown[]> {
  if (calls.length === 0) return [];
  const where = redactUrl(url);
  const body = calls.map((call, id) => ({ jsonrpc: "2.0", id, method: call.method, params: call.params }));
  // Credentials in the URL become a Basic Authorization header, as viem's http transport does (fetch refuses them).
  const target = new URL(url);
  const auth: Record<string, string> = {};
  if (target.username || target.password) {
    auth.authorization = `Basic ${btoa(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`)}`;
    target.username = "";
    target.password = "";
  }
  let answer: unknown;
  try {
    const response = await fetch(target, {
      ...fetchOptions,
      method: "POST",
      headers: { ...auth, ...headersOf(fetchOptions.headers), "content-type": "application/json" },
      body: JSON.stringify(body.length === 1 ? body[0] : body),
    });
    if (!response.ok) throw new AttestationError("transport", `${where} answered HTTP ${response.status}`);
    answer = await response.json();
  } catch (cause) {
    if (cause instanceof AttestationError) throw cause;
    // The cause's own message may quote the URL, so only its code (ECONNREFUSED, …) or name reaches this one.
    const code = (cause as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    throw new AttestationError("transport", `Cannot reach ${where} (${typeof code === "string" ? code : cause instanceof Error ? cause.name : "error"})`, { cause });
  }
  const replies = Array.isArray(answer) ? answer : [answer];
  return calls.map((call, id) => {
    const reply = replies.find((r) => typeof r === "object" && r !== null && (r as { id?: unknown }).id === id) as
      | { result?: unknown; error?: { code?: unknown; message?: unknown } }
      | undefined;
    if (!reply) throw new AttestationError("transport", `${where} did not answer ${call.method}`);
    if (reply.error) {
      throw new AttestationError("transport", `${where} refused ${call.method}: ${String(reply.error.message ?? "error")} (${String(reply.error.code)})`);
    }
    if (!("result" in reply)) throw new AttestationError("transport", `${where} answered ${call.method} without a result`);
    return reply.result;
  });
}

/** The URL's origin only: API keys travel in paths, queries and user info, and never reach an error message. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === "/" && parsed.search === "" && parsed.username === "" ? parsed.origin : `${parsed.origin}/…`;
  } catch {
    return "the signer's URL";
  }
}

function headersOf(headers: RequestInit["headers"]): Record<string, string> {
  const result: Record<string, string> = {};
  new Headers(headers).forEach((value, name) => (result[name] = value));
  return result;
}
