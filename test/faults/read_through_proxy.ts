/** One JSON-RPC call through the proxy, timed: its HTTP status, its JSON-RPC error (if any) and ms taken. */
export async function readThroughProxy(url: string, method = "eth_blockNumber", params: unknown[] = []): Promise<{ ms: number; status: number; code?: number; message?: string; ok: boolean }> {
  const started = Date.now();
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const ms = Date.now() - started;
    try {
      const json = JSON.parse(text);
      if (json.error) return { ms, status: response.status, code: json.error.code, message: json.error.message, ok: false };
      return { ms, status: response.status, ok: true };
    } catch {
      return { ms, status: response.status, message: "not JSON", ok: false };
    }
  } catch (error) {
    return { ms: Date.now() - started, status: 0, message: (error as Error).message, ok: false };
  }
}
