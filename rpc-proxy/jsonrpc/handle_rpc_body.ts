import { RpcCode } from "./rpc_error.ts";
import { toRpcError, type RpcErrorObject } from "./to_rpc_error.ts";

export type RpcId = string | number | null;
export type RpcRequest = { jsonrpc: "2.0"; id?: RpcId; method: string; params?: unknown[] | Record<string, unknown> };
export type RpcReply = { jsonrpc: "2.0"; id: RpcId; result: unknown } | { jsonrpc: "2.0"; id: RpcId; error: RpcErrorObject };

/** Answers one valid request: either a handled method or a passthrough. Throws for errors. */
export type Dispatch = (request: RpcRequest) => Promise<unknown>;

export type HandleRpcBodyOptions = {
  /** Largest accepted batch. @default 100 */
  maxBatchSize?: number;
  /**
   * Fast path for a single request the proxy does not handle: returns the node's reply text for the body as
   * is (the node echoes the id), or undefined to dispatch normally.
   */
  forward?: (request: RpcRequest, body: string) => Promise<string> | undefined;
  /** Called once per request with its outcome (for logs and metrics). */
  onOutcome?: (request: RpcRequest | undefined, error: RpcErrorObject | undefined) => void;
};

/**
 * JSON-RPC 2.0 over one HTTP body (https://www.jsonrpc.org/specification §4–§6): a single request or a batch,
 * answered in order; notifications (no `id`) get no entry; an invalid entry gets -32600 without affecting its
 * neighbours; an empty batch is -32600. Returns the reply text, or `undefined` when nothing is to be answered.
 *
 * @example
 * ```ts
 * const text = await handleRpcBody(await c.req.text(), dispatch);
 * ```
 */
export async function handleRpcBody(body: string, dispatch: Dispatch, options: HandleRpcBodyOptions = {}): Promise<string | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify(errorReply(null, { code: RpcCode.parseError, message: "Parse error: the body is not valid JSON" }));
  }
  if (!Array.isArray(parsed)) {
    if (options.forward && validate(parsed) === undefined && "id" in (parsed as object)) {
      const forwarded = options.forward(parsed as RpcRequest, body);
      if (forwarded) return forwarded;
    }
    const reply = await handleOne(parsed, dispatch, options);
    return reply === undefined ? undefined : JSON.stringify(reply);
  }
  const max = options.maxBatchSize ?? 100;
  if (parsed.length === 0) {
    return JSON.stringify(errorReply(null, { code: RpcCode.invalidRequest, message: "Invalid request: empty batch" }));
  }
  if (parsed.length > max) {
    return JSON.stringify(errorReply(null, { code: RpcCode.invalidRequest, message: `Invalid request: batch of ${parsed.length} exceeds the limit of ${max}` }));
  }
  const replies = await Promise.all(parsed.map((entry) => handleOne(entry, dispatch, options)));
  const answered = replies.filter((r): r is RpcReply => r !== undefined);
  return answered.length === 0 ? undefined : JSON.stringify(answered);
}

async function handleOne(entry: unknown, dispatch: Dispatch, options: HandleRpcBodyOptions): Promise<RpcReply | undefined> {
  const invalid = validate(entry);
  if (invalid) {
    options.onOutcome?.(undefined, invalid.error);
    return errorReply(invalid.id, invalid.error);
  }
  const request = entry as RpcRequest;
  const isNotification = !("id" in request);
  const id = request.id ?? null;
  try {
    const result = await dispatch(request);
    options.onOutcome?.(request, undefined);
    return isNotification ? undefined : { jsonrpc: "2.0", id, result: result ?? null };
  } catch (error) {
    const rpcError = toRpcError(error);
    options.onOutcome?.(request, rpcError);
    return isNotification ? undefined : errorReply(id, rpcError);
  }
}

function validate(entry: unknown): { id: RpcId; error: RpcErrorObject } | undefined {
  if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
    return { id: null, error: { code: RpcCode.invalidRequest, message: "Invalid request: expected an object" } };
  }
  const e = entry as Record<string, unknown>;
  const idOk = !("id" in e) || e.id === null || typeof e.id === "string" || (typeof e.id === "number" && Number.isFinite(e.id));
  const id = idOk && "id" in e ? (e.id as RpcId) : null;
  if (!idOk) return { id: null, error: { code: RpcCode.invalidRequest, message: "Invalid request: id must be a string, number or null" } };
  if (e.jsonrpc !== "2.0") return { id, error: { code: RpcCode.invalidRequest, message: 'Invalid request: jsonrpc must be "2.0"' } };
  if (typeof e.method !== "string" || e.method.length === 0) return { id, error: { code: RpcCode.invalidRequest, message: "Invalid request: method must be a non-empty string" } };
  if (e.params !== undefined && (typeof e.params !== "object" || e.params === null)) {
    return { id, error: { code: RpcCode.invalidRequest, message: "Invalid request: params must be an array or an object" } };
  }
  return undefined;
}

function errorReply(id: RpcId, error: RpcErrorObject): RpcReply {
  return { jsonrpc: "2.0", id, error };
}

