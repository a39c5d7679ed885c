import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import { attestationRequest } from "./attestation_request.ts";
import { ethSignRequest } from "./eth_sign_request.ts";
import { personalSignRequest } from "./personal_sign_request.ts";
import type { RpcHandler } from "./rpc_context.ts";
import { sendTransactionRequest } from "./send_transaction_request.ts";
import { signTransactionRequest } from "./sign_transaction_request.ts";
import { signTypedDataRequest } from "./sign_typed_data_request.ts";
import { UNSUPPORTED_METHODS } from "./unsupported_methods.ts";

/**
 * The methods the proxy answers itself (DESIGN §7), including refusals of UNSUPPORTED_METHODS; every other
 * method passes through to the node.
 *
 * @example
 * ```ts
 * const handler = createRpcMethods()["eth_chainId"];
 * ```
 */
export function createRpcMethods(): Readonly<Record<string, RpcHandler>> {
  return {
    eth_accounts: (_params, context, scope) => context.accounts(scope.caller),
    eth_requestAccounts: (_params, context, scope) => context.accounts(scope.caller),
    eth_chainId: (_params, context) => context.chainId(),
    eth_sendTransaction: sendTransactionRequest,
    wallet_sendTransaction: sendTransactionRequest,
    eth_signTransaction: signTransactionRequest,
    personal_sign: personalSignRequest,
    eth_sign: ethSignRequest,
    eth_signTypedData_v4: signTypedDataRequest,
    signer_attestation: attestationRequest,
    ...Object.fromEntries(Object.entries(UNSUPPORTED_METHODS).map(([method, { use }]): [string, RpcHandler] => [method, () => {
      throw new RpcError(RpcCode.unsupported, `Unsupported method: ${method} (the signer's keys are not the node's); use ${use}`);
    }])),
  };
}
