import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import { attestationRequest } from "./attestation_request.ts";
import { ethSignRequest } from "./eth_sign_request.ts";
import { personalSignRequest } from "./personal_sign_request.ts";
import type { RpcHandler } from "./rpc_context.ts";
import { sendTransactionRequest } from "./send_transaction_request.ts";
import { signTransactionRequest } from "./sign_transaction_request.ts";
import { signTypedDataRequest } from "./sign_typed_data_request.ts";

/**
 * Methods that sign with, send from or manage keys the node holds. Passed through, the node would answer them
 * with its own keys (Anvil's dev accounts, an unlocked geth keystore), so the proxy refuses them with EIP-1193
 * 4200 and names what to use instead.
 */
export const UNSUPPORTED_METHODS: Readonly<Record<string, string>> = {
  eth_signTypedData: "eth_signTypedData_v4",
  eth_signTypedData_v1: "eth_signTypedData_v4",
  eth_signTypedData_v3: "eth_signTypedData_v4",
  personal_signTransaction: "eth_signTransaction",
  personal_sendTransaction: "eth_sendTransaction",
  personal_unlockAccount: "nothing: the keys never leave the enclave",
  personal_lockAccount: "nothing: the keys never leave the enclave",
  personal_newAccount: "the host-agent's `keys generate`",
  personal_importRawKey: "the host-agent's `keys import`",
};

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
    ...Object.fromEntries(Object.entries(UNSUPPORTED_METHODS).map(([method, instead]): [string, RpcHandler] => [method, () => {
      throw new RpcError(RpcCode.unsupported, `Unsupported method: ${method} (the signer's keys are not the node's); use ${instead}`);
    }])),
  };
}
