import type { MethodGroup } from "../auth/method_group.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import { attestationRequest } from "./attestation_request.ts";
import { checkPolicyRequest } from "./check_policy_request.ts";
import { ethSignRequest } from "./eth_sign_request.ts";
import { personalSignRequest } from "./personal_sign_request.ts";
import type { RpcHandler } from "./rpc_context.ts";
import { sendTransactionRequest } from "./send_transaction_request.ts";
import { signTransactionRequest } from "./sign_transaction_request.ts";
import { signerPolicyRequest } from "./signer_policy_request.ts";
import { signTypedDataRequest } from "./sign_typed_data_request.ts";

/** One JSON-RPC method: the API-key group it needs, and its handler, or none to pass it through to the node. */
export type RpcMethod = { readonly group: MethodGroup; readonly handler?: RpcHandler };

/**
 * The node's standard read-only methods, passed through in the `read` group: the `eth_` and `net_` methods of the
 * Ethereum execution-API specification (ethereum/execution-apis `src/eth/*.yaml`) that neither sign nor send,
 * and the older read-only methods of the JSON-RPC API it grew from (`web3_*`, `net_listening`, uncles, mining
 * status). Nothing else reaches the node without the `node-admin` group.
 */
const READ_METHODS = [
  // client.yaml
  "eth_syncing", "eth_coinbase", "eth_blockNumber", "eth_config", "net_version",
  // block.yaml
  "eth_getBlockByHash", "eth_getBlockByNumber", "eth_getBlockTransactionCountByHash", "eth_getBlockTransactionCountByNumber",
  "eth_getBlockReceipts", "eth_getBlockAccessList",
  // capabilities.yaml, execute.yaml, fill.yaml
  "eth_capabilities", "eth_call", "eth_estimateGas", "eth_createAccessList", "eth_simulateV1", "eth_fillTransaction",
  // fee_market.yaml
  "eth_gasPrice", "eth_baseFee", "eth_blobBaseFee", "eth_maxPriorityFeePerGas", "eth_feeHistory",
  // filter.yaml
  "eth_newFilter", "eth_newBlockFilter", "eth_newPendingTransactionFilter", "eth_uninstallFilter", "eth_getFilterChanges",
  "eth_getFilterLogs", "eth_getLogs",
  // state.yaml
  "eth_getBalance", "eth_getStorageAt", "eth_getStorageValues", "eth_getTransactionCount", "eth_getCode", "eth_getProof",
  // transaction.yaml
  "eth_getTransactionByHash", "eth_getTransactionByBlockHashAndIndex", "eth_getTransactionByBlockNumberAndIndex",
  "eth_getTransactionReceipt",
  // The JSON-RPC API before the specification (still answered by geth, Nethermind, Erigon, reth, Besu).
  "web3_clientVersion", "web3_sha3", "net_listening", "net_peerCount", "eth_protocolVersion", "eth_mining", "eth_hashrate",
  "eth_getUncleCountByBlockHash", "eth_getUncleCountByBlockNumber", "eth_getUncleByBlockHashAndIndex",
  "eth_getUncleByBlockNumberAndIndex",
] as const;

/**
 * Methods that sign with, send from or manage keys the node holds, or make the node send a transaction nobody
 * signed. Passed through, the node would answer them with its own keys (Anvil's dev accounts, an unlocked geth
 * keystore) or none at all (Anvil's `eth_sendUnsignedTransaction`), so they are refused for every caller with
 * EIP-1193 4200 naming what to use instead; for API keys they count in the group of what they would do.
 */
const NODE_KEYSTORE_METHODS: Readonly<Record<string, { use: string; group: MethodGroup }>> = {
  eth_signTypedData: { use: "eth_signTypedData_v4", group: "sign" },
  eth_signTypedData_v1: { use: "eth_signTypedData_v4", group: "sign" },
  eth_signTypedData_v3: { use: "eth_signTypedData_v4", group: "sign" },
  personal_signTransaction: { use: "eth_signTransaction", group: "sign" },
  personal_sendTransaction: { use: "eth_sendTransaction", group: "send" },
  personal_unlockAccount: { use: "nothing: the keys never leave the enclave", group: "sign" },
  personal_lockAccount: { use: "nothing: the keys never leave the enclave", group: "sign" },
  personal_newAccount: { use: "the host-agent's `keys generate`", group: "sign" },
  personal_importRawKey: { use: "the host-agent's `keys import`", group: "sign" },
  eth_sendTransactionSync: { use: "eth_sendTransaction, then eth_getTransactionReceipt", group: "send" },
  eth_sendUnsignedTransaction: { use: "eth_sendTransaction", group: "send" },
};

const accounts: RpcHandler = (_params, context, scope) => context.accounts(scope.caller);

/**
 * Every method the proxy knows (DESIGN §7), with its group: the ones it answers itself, the node-keystore methods
 * it refuses, and the standard reads and raw sends it passes through. `rpcMethod()` gives the rest.
 */
export const RPC_METHODS: Readonly<Record<string, RpcMethod>> = {
  eth_accounts: { group: "read", handler: accounts },
  eth_requestAccounts: { group: "read", handler: accounts },
  eth_chainId: { group: "read", handler: (_params, context) => context.chainId() },
  eth_sendTransaction: { group: "send", handler: sendTransactionRequest },
  wallet_sendTransaction: { group: "send", handler: sendTransactionRequest },
  eth_signTransaction: { group: "sign", handler: signTransactionRequest },
  personal_sign: { group: "sign", handler: personalSignRequest },
  eth_sign: { group: "sign", handler: ethSignRequest },
  eth_signTypedData_v4: { group: "sign", handler: signTypedDataRequest },
  signer_attestation: { group: "attest", handler: attestationRequest },
  signer_policy: { group: "read", handler: signerPolicyRequest },
  signer_checkPolicy: { group: "read", handler: checkPolicyRequest },
  eth_sendRawTransaction: { group: "send" },
  eth_sendRawTransactionSync: { group: "send" },
  ...Object.fromEntries(READ_METHODS.map((method) => [method, { group: "read" }])),
  ...Object.fromEntries(Object.entries(NODE_KEYSTORE_METHODS).map(([method, { use, group }]): [string, RpcMethod] => [method, {
    group,
    handler: () => {
      throw new RpcError(RpcCode.unsupported, `Unsupported method: ${method} (the signer's keys are not the node's); use ${use}`);
    },
  }])),
};

const NODE_ADMIN: RpcMethod = { group: "node-admin" };

/**
 * The table's entry for `method`; any method not in it passes through to the node in the `node-admin` group.
 *
 * @example
 * ```ts
 * rpcMethod("eth_getBalance"); // { group: "read" }
 * rpcMethod("anvil_setBalance"); // { group: "node-admin" }
 * ```
 */
export function rpcMethod(method: string): RpcMethod {
  return Object.hasOwn(RPC_METHODS, method) ? RPC_METHODS[method]! : NODE_ADMIN;
}

/**
 * The API-key group `method` needs.
 *
 * @example
 * ```ts
 * methodGroup("personal_sign"); // "sign"
 * ```
 */
export function methodGroup(method: string): MethodGroup {
  return rpcMethod(method).group;
}
