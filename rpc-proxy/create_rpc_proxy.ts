import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { SignerClient } from "../signer/protocol/create_signer_client.ts";
import { handleRpcBody, type RpcRequest } from "./jsonrpc/handle_rpc_body.ts";
import { RpcCode, RpcError, UpstreamRpcError } from "./jsonrpc/rpc_error.ts";
import { createRpcMethods } from "./methods/create_rpc_methods.ts";
import { createRpcContext } from "./methods/rpc_context.ts";
import { createNonceManager, type NonceManager } from "./transactions/create_nonce_manager.ts";
import type { Upstream } from "./upstream/create_upstream.ts";

export type CreateRpcProxyOptions = {
  signer: SignerClient;
  upstream: Upstream;
  /** @default a nonce manager fed by the node's pending transaction count */
  nonces?: NonceManager;
  /** Largest accepted request body in bytes (HTTP 413 above). @default 1048576 */
  maxBodyBytes?: number;
  /** @default 100 */
  maxBatchSize?: number;
};

/**
 * The JSON-RPC facade (DESIGN §7) as a Hono app: `POST /` answers JSON-RPC 2.0, `GET /healthz` says the
 * process is up. Serve it with any Hono adapter (`main_node.ts`, `main_deno.ts`) or call `app.request()`.
 *
 * @example
 * ```ts
 * const app = createRpcProxy({ signer: createSignerClient(connect), upstream: createUpstream(url) });
 * Deno.serve({ port: 8545 }, app.fetch);
 * ```
 */
export function createRpcProxy(options: CreateRpcProxyOptions): Hono {
  const { signer, upstream } = options;
  const nonces = options.nonces ?? createNonceManager((address) =>
    upstream.request<string>("eth_getTransactionCount", [address, "pending"]).then(Number)
  );
  const context = createRpcContext({ signer, upstream, nonces });
  const methods = createRpcMethods();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  const dispatch = async (request: RpcRequest) => {
    const handler = Object.hasOwn(methods, request.method) ? methods[request.method] : undefined;
    if (!handler) return upstream.request(request.method, request.params as unknown[]);
    if (request.params !== undefined && !Array.isArray(request.params)) {
      throw new RpcError(RpcCode.invalidParams, `Invalid params: ${request.method} takes positional params`);
    }
    return handler(request.params ?? [], context);
  };
  const forward = (request: RpcRequest, body: string) =>
    Object.hasOwn(methods, request.method) ? undefined : upstream.forward(body);

  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.post("/", bodyLimit({ maxSize: maxBodyBytes, onError: () => tooLarge(maxBodyBytes) }), async (c) => {
    const body = await c.req.text();
    const reply = await handleRpcBody(body, dispatch, {
      ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
      forward: (request, text) => forward(request, text)?.catch((error) => upstreamFailure(request, error)),
    });
    if (reply === undefined) return c.body(null, 204);
    return c.body(reply, 200, { "content-type": "application/json" });
  });
  return app;
}

function tooLarge(max: number): Response {
  return new Response(
    JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: RpcCode.invalidRequest, message: `Invalid request: body exceeds ${max} bytes` } }),
    { status: 413, headers: { "content-type": "application/json" } },
  );
}

function upstreamFailure(request: RpcRequest, error: unknown): string {
  const message = error instanceof UpstreamRpcError ? error.error.message : "Upstream node unavailable";
  return JSON.stringify({ jsonrpc: "2.0", id: request.id ?? null, error: { code: RpcCode.internal, message } });
}
