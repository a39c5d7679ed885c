import { MAX_PARAMS_DEPTH, nestingDepth } from "../../signer/mod.ts";
import { RpcCode, RpcError } from "./rpc_error.ts";
import { toRpcError, type RpcErrorObject } from "./to_rpc_error.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true });

export type RpcId = string | number | null;
export type RpcRequest = { jsonrpc: "2.0"; id?: RpcId; method: string; params?: unknown[] | Record<string, unknown> };
export type RpcReply = { jsonrpc: "2.0"; id: RpcId; result: unknown } | { jsonrpc: "2.0"; id: RpcId; error: RpcErrorObject };

/** What a handler learns about one entry while answering it, for its log line (never a secret). */
export type RpcEntry = { account?: string };

/** Answers one valid request: either a handled method or a passthrough. Throws for errors. */
export type Dispatch = (request: RpcRequest, entry: RpcEntry) => Promise<unknown>;

/** How one entry of a body ended: the request (undefined when it was not a valid request), its error if any. */
export type RpcOutcome = {
  request: RpcRequest | undefined;
  error: RpcErrorObject | undefined;
  durationMs: number;
  entry: RpcEntry;
  /** Entries in the body (1 for a single request). */
  batchSize: number;
};

export type HandleRpcBodyOptions = {
  /** Largest accepted batch. @default 100 */
  maxBatchSize?: number;
  /**
   * Fast path for a single request the proxy does not handle: returns the node's reply text for the body as
   * is (the node echoes the id), or undefined to dispatch normally.
   */
  forward?: (request: RpcRequest, body: string) => Promise<string> | undefined;
  /** Called once per entry with its outcome (for logs and metrics). */
  onOutcome?: (outcome: RpcOutcome) => void;
  /** Milliseconds from an arbitrary origin. @default performance.now */
  now?: () => number;
};

/**
 * JSON-RPC 2.0 over one HTTP body (https://www.jsonrpc.org/specification §4–§6): a single request or a batch,
 * answered in order; notifications (no `id`) get no entry; an invalid entry gets -32600 without affecting its
 * neighbours; an empty batch or one above `maxBatchSize` is -32600; params nested deeper than MAX_PARAMS_DEPTH are
 * -32602 and go nowhere. Returns the reply text, or `undefined` when nothing is to be answered. Never throws:
 * every failure of a handler becomes that entry's error. A body given as bytes must be UTF-8 (RFC 8259 §8.1):
 * invalid UTF-8 is a parse error, never replaced with U+FFFD (which would sign a message other than the one sent).
 *
 * @example
 * ```ts
 * const text = await handleRpcBody(new Uint8Array(await c.req.arrayBuffer()), dispatch);
 * ```
 */
export async function handleRpcBody(body: string | Uint8Array, dispatch: Dispatch, options: HandleRpcBodyOptions = {}): Promise<string | undefined> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let text = "";
  let parsed: unknown;
  try {
    text = typeof body === "string" ? body : UTF8.decode(body);
    parsed = JSON.parse(text);
  } catch {
    const error = { code: RpcCode.parseError, message: "Parse error: the body is not valid JSON" };
    options.onOutcome?.({ request: undefined, error, durationMs: now() - started, entry: {}, batchSize: 1 });
    return JSON.stringify(errorReply(null, error));
  }
  if (!Array.isArray(parsed)) {
    // Forwarded as is only when nothing in it is nested too deep for the node (else dispatched, and refused).
    if (options.forward && validate(parsed) === undefined && "id" in (parsed as object) && nestingDepth(parsed, MAX_PARAMS_DEPTH) <= MAX_PARAMS_DEPTH) {
      const request = parsed as RpcRequest;
      const forwarded = options.forward(request, text);
      if (forwarded) {
        const reply = await forwarded;
        options.onOutcome?.({ request, error: sniffError(reply), durationMs: now() - started, entry: {}, batchSize: 1 });
        return reply;
      }
    }
    const reply = await handleOne(parsed, dispatch, options, now, 1);
    return reply === undefined ? undefined : JSON.stringify(reply);
  }
  const max = options.maxBatchSize ?? 100;
  const batchError = parsed.length === 0
    ? "Invalid request: empty batch"
    : parsed.length > max
    ? `Invalid request: batch of ${parsed.length} exceeds the limit of ${max}`
    : undefined;
  if (batchError) {
    const error = { code: RpcCode.invalidRequest, message: batchError };
    options.onOutcome?.({ request: undefined, error, durationMs: now() - started, entry: {}, batchSize: parsed.length });
    return JSON.stringify(errorReply(null, error));
  }
  const replies = await Promise.all(parsed.map((entry) => handleOne(entry, dispatch, options, now, parsed.length)));
  const answered = replies.filter((r): r is RpcReply => r !== undefined);
  return answered.length === 0 ? undefined : JSON.stringify(answered);
}

async function handleOne(
  value: unknown,
  dispatch: Dispatch,
  options: HandleRpcBodyOptions,
  now: () => number,
  batchSize: number,
): Promise<RpcReply | undefined> {
  const started = now();
  const entry: RpcEntry = {};
  const invalid = validate(value);
  if (invalid) {
    options.onOutcome?.({ request: undefined, error: invalid.error, durationMs: now() - started, entry, batchSize });
    return errorReply(invalid.id, invalid.error);
  }
  const request = value as RpcRequest;
  const isNotification = !("id" in request);
  const id = request.id ?? null;
  try {
    if (request.params !== undefined && nestingDepth(request.params, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) {
      throw new RpcError(RpcCode.invalidParams, `Invalid params: nested deeper than ${MAX_PARAMS_DEPTH} levels`);
    }
    const result = await dispatch(request, entry);
    options.onOutcome?.({ request, error: undefined, durationMs: now() - started, entry, batchSize });
    return isNotification ? undefined : { jsonrpc: "2.0", id, result: result ?? null };
  } catch (error) {
    const rpcError = toRpcError(error);
    options.onOutcome?.({ request, error: rpcError, durationMs: now() - started, entry, batchSize });
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

/**
 * The error of a node's single reply, for logs and metrics only (the text goes to the client untouched). A
 * reply is `{"jsonrpc","id","result"|"error"}`: the first of the two keys seen after the id decides, and only
 * an error reply (small) is parsed.
 */
function sniffError(text: string): RpcErrorObject | undefined {
  const match = /"(result|error)"\s*:/.exec(text.slice(0, 1024));
  if (match?.[1] !== "error") return undefined;
  try {
    const error = (JSON.parse(text) as { error?: RpcErrorObject }).error;
    return typeof error?.code === "number" ? { code: error.code, message: String(error.message) } : { code: RpcCode.internal, message: "Invalid reply" };
  } catch {
    return { code: RpcCode.internal, message: "Invalid reply" };
  }
}

function errorReply(id: RpcId, error: RpcErrorObject): RpcReply {
  return { jsonrpc: "2.0", id, error };
}
