/** Posts a JSON-RPC body (object, array or raw text) and returns the HTTP status and parsed reply. */
export async function rpc(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; text: string }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** Calls one method and returns its result, or throws with the JSON-RPC error. */
export async function call<T = any>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const { json } = await rpc(url, { jsonrpc: "2.0", id: 1, method, params });
  if (json.error) throw Object.assign(new Error(json.error.message), { code: json.error.code, data: json.error.data });
  return json.result as T;
}
