import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { SignerClient } from "../signer/mod.ts";
import { authenticateRequest } from "./auth/authenticate_request.ts";
import { checkBrowserRequest, DEFAULT_ALLOWED_HOSTS } from "./auth/check_browser_request.ts";
import { createCaller, type Caller } from "./auth/create_caller.ts";
import type { ApiKey } from "./auth/parse_api_keys.ts";
import { createDynamoDbNonceManager } from "./fleet/create_dynamodb_nonce_manager.ts";
import { createStateTable } from "./fleet/create_state_table.ts";
import { createWindowStore } from "./fleet/create_window_store.ts";
import { withFleetWindows } from "./fleet/with_fleet_windows.ts";
import { checkReadiness, checkSignerReadiness } from "./health/check_readiness.ts";
import { handleRpcBody, type RpcEntry, type RpcRequest } from "./jsonrpc/handle_rpc_body.ts";
import { RpcCode, RpcError, UpstreamRpcError } from "./jsonrpc/rpc_error.ts";
import { createRequestLogger } from "./logging/create_request_logger.ts";
import { PROMETHEUS_CONTENT_TYPE } from "./metrics/create_metrics_registry.ts";
import { createProxyMetrics, type ProxyMetrics } from "./metrics/create_proxy_metrics.ts";
import { instrumentSigner } from "./metrics/instrument_signer.ts";
import { instrumentUpstream } from "./metrics/instrument_upstream.ts";
import { createRpcContext } from "./methods/rpc_context.ts";
import { rpcMethod } from "./methods/rpc_methods.ts";
import { createTransactionSender } from "./transactions/create_transaction_sender.ts";
import { signTransactionWith } from "./transactions/sign_transaction_with.ts";
import { coalesceUpstream } from "./upstream/coalesce_upstream.ts";
import type { Upstream } from "./upstream/create_upstream.ts";

/** Per-request values the middleware hands to the JSON-RPC handler. */
type ProxyEnv = { Variables: { caller: Caller; started: number } };

/** The proxy's Hono app; serve `app.fetch`. */
export type RpcProxyApp = Hono<ProxyEnv>;

export type CreateRpcProxyOptions = {
  signer: SignerClient;
  upstream: Upstream;
  /** Largest accepted request body in bytes (HTTP 413 above). @default 1048576 */
  maxBodyBytes?: number;
  /** Largest accepted batch (-32600 above). @default 100 */
  maxBatchSize?: number;
  /**
   * When given, every JSON-RPC request needs one of these keys (HTTP 401 without); an empty list refuses every
   * request (a deployment whose keys are not set yet). @default undefined (no authentication)
   */
  apiKeys?: readonly ApiKey[];
  /**
   * Origins allowed by CORS, or ["*"]. A request that carries any other `Origin` is refused with 403 before it
   * runs. @default [] (CORS off: no CORS headers, and every request from a web page refused)
   */
  corsOrigins?: readonly string[];
  /** Host names the `Host` header may name (any port), or ["*"] for any (HTTP 403 otherwise). @default DEFAULT_ALLOWED_HOSTS */
  allowedHosts?: readonly string[];
  /** @default a fresh registry */
  metrics?: ProxyMetrics;
  /** Receives one JSON line per request. @default none */
  log?: (line: string) => void;
  /** Bound on each readiness check. @default 2000 */
  readinessTimeoutMs?: number;
  /**
   * The fleet's DynamoDB state table (issue 13, docs/fleet-state.md): nonces leased by conditional writes
   * (`createDynamoDbNonceManager`), spend-window records stored before a signature is released
   * (`withFleetWindows`), and `/readyz` failing when the table cannot be read. @default none: this instance's
   * memory for nonces, no window records
   */
  state?: { client: DynamoDBClient; table: string };
};

/**
 * The JSON-RPC facade (DESIGN §7) as a Hono app: `POST /` answers JSON-RPC 2.0 (single, batch,
 * notifications), `GET /healthz` says the process is up, `GET /readyz` whether the signer, the node and at least
 * one key are there (503 and which part is not), `GET /readyz/signer` whether the signer answers (the load
 * balancer's health check), `GET /metrics` the Prometheus metrics. A request with a `Host` or `Origin` that is not
 * allowed is refused with 403, and a JSON-RPC body that is not `application/json` with 415, before anything runs
 * (`checkBrowserRequest`). With API keys, a request without a valid `Authorization` is refused with HTTP 401
 * before its body is read; each key reaches only its method groups (`methods/rpc_methods.ts`). Serve it with any
 * Hono adapter (`main_node.ts`, `main_deno.ts`) or call `app.request()`.
 *
 * @example
 * ```ts
 * const app = createRpcProxy({ signer: createSignerClient(connect), upstream: createUpstream(url) });
 * Deno.serve({ port: 8545 }, app.fetch);
 * ```
 */
export function createRpcProxy(options: CreateRpcProxyOptions): RpcProxyApp {
  const metrics = options.metrics ?? createProxyMetrics();
  const state = options.state
    ? createStateTable({ ...options.state, onCall: (operation, ms, outcome) => metrics.stateCall(operation, ms, outcome) })
    : undefined;
  const signer = state
    ? withFleetWindows(instrumentSigner(options.signer, metrics), {
      windows: createWindowStore(state),
      onRetry: (reason) => metrics.windowRetry(reason),
      onWriteConflict: () => metrics.windowWriteConflict(),
    })
    : instrumentSigner(options.signer, metrics);
  const upstream = instrumentUpstream(options.upstream, metrics);
  // The proxy's own calls (fill, nonces, fees, broadcasts, watches) go as batches; passthrough does not.
  const sendPath = instrumentUpstream(coalesceUpstream(options.upstream), metrics);
  const signTransaction = signTransactionWith(signer);
  const sender = createTransactionSender({
    upstream: sendPath,
    sign: signTransaction,
    onResync: () => metrics.nonceResync(),
    onReplaced: () => metrics.replacedResend(),
    onGapFilled: () => metrics.nonceGapFilled(),
    onRebroadcast: () => metrics.rebroadcast(),
    ...(state ? { nonces: createDynamoDbNonceManager({ table: state, onConflict: () => metrics.nonceLeaseConflict() }) } : {}),
  });
  const context = createRpcContext({ signer, upstream: sendPath, sender, signTransaction });
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const apiKeys = options.apiKeys;
  const corsOrigins = options.corsOrigins ?? [];
  const allowedHosts = options.allowedHosts ?? DEFAULT_ALLOWED_HOSTS;
  const logger = options.log ? createRequestLogger(options.log) : undefined;

  const dispatchFor = (caller: Caller) => async (request: RpcRequest, entry: RpcEntry) => {
    const { group, handler } = rpcMethod(request.method);
    if (!caller.allowsGroup(group)) {
      throw new RpcError(RpcCode.unauthorized, `Unauthorized: this API key may not call ${request.method} (group ${group})`);
    }
    if (!handler) return upstream.request(request.method, request.params as unknown[]);
    if (request.params !== undefined && !Array.isArray(request.params)) {
      throw new RpcError(RpcCode.invalidParams, `Invalid params: ${request.method} takes positional params`);
    }
    return handler(request.params ?? [], context, { caller, entry });
  };
  const forwardFor = (caller: Caller) => (request: RpcRequest, body: string) => {
    const { group, handler } = rpcMethod(request.method);
    if (handler || !caller.allowsGroup(group)) return undefined;
    return upstream.forwardMethod(request.method, body).catch((error) => upstreamFailure(request, error));
  };

  const app = new Hono<ProxyEnv>();
  // Before anything else, CORS preflights included: what only a web page would send (DNS rebinding, another
  // site's Origin, a body type that needs no preflight) never reaches the signer or the node.
  app.use("*", async function refuseBrowserRequests(c, next) {
    const refusal = checkBrowserRequest(c.req.raw.headers, {
      allowedHosts,
      corsOrigins,
      jsonBody: c.req.method === "POST" && c.req.path === "/",
    });
    if (!refusal) return next();
    metrics.httpRejected(refusal.reason);
    logger?.rejected(refusal.status, refusal.reason, 0);
    return errorResponse(refusal.status, refusal.status === 415 ? RpcCode.invalidRequest : RpcCode.unauthorized, refusal.message);
  });
  if (corsOrigins.length > 0) {
    const origins = [...corsOrigins];
    app.use("*", cors({
      origin: origins.includes("*") ? "*" : origins,
      allowMethods: ["POST", "GET", "OPTIONS"],
      allowHeaders: ["Content-Type", "Authorization"],
      maxAge: 600,
    }));
  }
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  const readinessTimeout = options.readinessTimeoutMs === undefined ? {} : { timeoutMs: options.readinessTimeoutMs };
  app.get("/readyz", async (c) => {
    const readiness = await checkReadiness({ signer, upstream, ...(state ? { state } : {}), ...readinessTimeout });
    return c.json(readiness, readiness.ready ? 200 : 503);
  });
  app.get("/readyz/signer", async (c) => {
    const readiness = await checkSignerReadiness({ signer, ...readinessTimeout });
    return c.json(readiness, readiness.ready ? 200 : 503);
  });
  app.get("/metrics", (c) => c.body(metrics.registry.render(), 200, { "content-type": PROMETHEUS_CONTENT_TYPE }));

  const track: MiddlewareHandler<ProxyEnv> = async function trackInFlight(c, next) {
    c.set("started", performance.now());
    metrics.requestStarted();
    try {
      await next();
    } finally {
      metrics.requestFinished();
    }
  };
  const authenticate: MiddlewareHandler<ProxyEnv> = async function authenticate(c, next) {
    if (apiKeys === undefined) {
      c.set("caller", createCaller(undefined));
      return next();
    }
    const key = authenticateRequest(c.req.header("authorization"), apiKeys);
    if (!key) {
      metrics.httpRejected("unauthenticated");
      logger?.rejected(401, "unauthenticated", performance.now() - c.get("started"));
      return errorResponse(401, RpcCode.unauthorized, "Unauthorized: a valid API key is required (Authorization: Bearer <key>)", {
        "www-authenticate": 'Bearer realm="rpc-proxy"',
      });
    }
    c.set("caller", createCaller(key));
    return next();
  };
  const tooLarge = (c: Context<ProxyEnv>) => {
    metrics.httpRejected("body_too_large");
    logger?.rejected(413, "body_too_large", performance.now() - c.get("started"));
    return errorResponse(413, RpcCode.invalidRequest, `Invalid request: body exceeds ${maxBodyBytes} bytes`, { connection: "close" });
  };
  const streamingLimit = bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge });
  // A declared length is checked from the header alone. Hono's bodyLimit first reads `request.body`, which under
  // Deno.serve makes the body a stream: 15–40 µs more per request, all of a passthrough's own cost (issue 14).
  // Only a body without a length (chunked) goes through it.
  const limit: MiddlewareHandler<ProxyEnv> = async function limitBody(c, next) {
    const headers = c.req.raw.headers;
    const length = headers.get("content-length");
    if (length === null || headers.has("transfer-encoding")) return streamingLimit(c, next);
    return /^\d+$/.test(length) && Number(length) <= maxBodyBytes ? next() : tooLarge(c);
  };

  app.post("/", track, authenticate, limit, async (c) => {
    const caller = c.get("caller");
    const reply = await handleRpcBody(new Uint8Array(await c.req.arrayBuffer()), dispatchFor(caller), {
      ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
      forward: forwardFor(caller),
      onOutcome: (outcome) => {
        metrics.rpcRequest(outcome.request?.method, outcome.error, outcome.durationMs);
        logger?.rpc(outcome, caller.keyName);
      },
    });
    if (reply === undefined) return c.body(null, 204);
    return c.body(reply, 200, { "content-type": "application/json" });
  });
  return app;
}

function errorResponse(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function upstreamFailure(request: RpcRequest, error: unknown): string {
  const message = error instanceof UpstreamRpcError ? error.error.message : "Upstream node unavailable";
  return JSON.stringify({ jsonrpc: "2.0", id: request.id ?? null, error: { code: RpcCode.internal, message } });
}
