import type { RpcHandler } from "./rpc_context.ts";
import { sendTransactionRequest } from "./send_transaction_request.ts";
import { signTransactionRequest } from "./sign_transaction_request.ts";

/**
 * The methods the proxy answers itself (DESIGN §7); every other method passes through to the node.
 *
 * @example
 * ```ts
 * const handler = createRpcMethods()["eth_chainId"];
 * ```
 */
export function createRpcMethods(): Readonly<Record<string, RpcHandler>> {
  return {
    eth_accounts: (_params, context) => context.accounts(),
    eth_requestAccounts: (_params, context) => context.accounts(),
    eth_chainId: (_params, context) => context.chainId(),
    eth_signTransaction: signTransactionRequest,
    eth_sendTransaction: sendTransactionRequest,
  };
}
