/**
 * The rpc-proxy's door (STYLE §2): the JSON-RPC facade (DESIGN §7) and its parts, for the local stack, the bench
 * and embedders. Runtime entry points (`main_node.ts`, `main_deno.ts`) are not re-exported.
 *
 * @example
 * ```ts
 * import { createRpcProxy, createUpstream } from "./rpc-proxy/mod.ts";
 * const app = createRpcProxy({ signer, upstream: createUpstream("http://127.0.0.1:8546") });
 * ```
 * @module
 */

// The app and its wiring.
export { createRpcProxy, type CreateRpcProxyOptions, type RpcProxyApp } from "./create_rpc_proxy.ts";
export { createRpcProxyFromConfig, type CreateRpcProxyFromConfigOptions } from "./create_rpc_proxy_from_config.ts";
export { parseAllowedHosts, parseProxyConfig, PROXY_USAGE, type ProxyConfig } from "./parse_proxy_config.ts";

// JSON-RPC 2.0 and the one error mapping.
export { handleRpcBody, type Dispatch, type HandleRpcBodyOptions, type RpcEntry, type RpcOutcome, type RpcReply, type RpcRequest } from "./jsonrpc/handle_rpc_body.ts";
export { RpcCode, RpcError, UpstreamRpcError } from "./jsonrpc/rpc_error.ts";
export { toRpcError, type RpcErrorObject } from "./jsonrpc/to_rpc_error.ts";
export { rpcOutcomeLabel, type RpcOutcomeLabel } from "./jsonrpc/rpc_outcome_label.ts";

// Access.
export { parseApiKeys, type ApiKey, MIN_API_KEY_LENGTH } from "./auth/parse_api_keys.ts";
export { authenticateRequest } from "./auth/authenticate_request.ts";
export { createCaller, type Caller } from "./auth/create_caller.ts";
export { METHOD_GROUPS, type MethodGroup } from "./auth/method_group.ts";
export {
  checkBrowserRequest,
  DEFAULT_ALLOWED_HOSTS,
  defaultAllowedHosts,
  type BrowserRefusal,
  type CheckBrowserRequestOptions,
} from "./auth/check_browser_request.ts";

// The method table: every method's API-key group and handler (none: passed through to the node).
export { methodGroup, rpcMethod, RPC_METHODS, type RpcMethod } from "./methods/rpc_methods.ts";

// Transactions.
export { fillTransaction, type TransactionRequest } from "./transactions/fill_transaction.ts";
export { applyFeeQuote, fillFees, readFeeQuote, type FeeQuote, type FillFeesReturnType } from "./transactions/fill_fees.ts";
export { createTransactionSender, MAX_NONCE_RETRIES, type CreateTransactionSenderOptions, type TransactionSender } from "./transactions/create_transaction_sender.ts";
export { createNonceManager } from "./transactions/create_nonce_manager.ts";
export { nonceAccountKey, type NonceAccount, type NonceManager } from "./transactions/nonce_manager.ts";
export { signTransactionWith, type SignTransaction } from "./transactions/sign_transaction_with.ts";
export { createBroadcastWatch, type Broadcast, type BroadcastWatch, type CreateBroadcastWatchOptions } from "./transactions/create_broadcast_watch.ts";
export { coalesceUpstream, type CoalesceUpstreamOptions } from "./upstream/coalesce_upstream.ts";
export { takeBlobSidecars, type BlobSidecars } from "./transactions/take_blob_sidecars.ts";
export { attachBlobSidecars } from "./transactions/attach_blob_sidecars.ts";

// The node, health, metrics, logs.
export { createUpstream, type CreateUpstreamOptions, type Upstream, type UpstreamCall, type UpstreamOutcome, UpstreamUnavailableError } from "./upstream/create_upstream.ts";
export { checkReadiness, type Readiness, type ReadinessCheck } from "./health/check_readiness.ts";
export { createMetricsRegistry, type MetricsRegistry, PROMETHEUS_CONTENT_TYPE } from "./metrics/create_metrics_registry.ts";
export { createProxyMetrics, type ProxyMetrics } from "./metrics/create_proxy_metrics.ts";
export { createRequestLogger, type RequestLogger } from "./logging/create_request_logger.ts";
