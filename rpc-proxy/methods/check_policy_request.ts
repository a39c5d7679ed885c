import type { PolicyCheckParams } from "../../signer/mod.ts";
import { isRecord } from "../../signer/mod.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import { ethSignCall } from "./eth_sign_request.ts";
import { personalSignCall } from "./personal_sign_request.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";
import { signableTransaction } from "./sign_transaction_request.ts";
import { signTypedDataCall } from "./sign_typed_data_request.ts";

type SignerCall = (params: unknown[], context: RpcContext, scope: RpcScope) => Promise<PolicyCheckParams>;

const transaction: SignerCall = async (params, context, scope) => {
  const { from, transaction } = await signableTransaction(params, context, scope);
  return { method: "sign.transaction", params: { address: from, transaction } };
};

/** The signer call each JSON-RPC signing method makes, built exactly as the method itself builds it. */
const SIGNER_CALLS: Readonly<Record<string, SignerCall>> = {
  eth_sendTransaction: transaction,
  wallet_sendTransaction: transaction,
  eth_signTransaction: transaction,
  personal_sign: async (params, context, scope) => ({ method: "sign.message", params: await personalSignCall(params, context, scope) }),
  eth_sign: async (params, context, scope) => ({ method: "sign.message", params: await ethSignCall(params, context, scope) }),
  eth_signTypedData_v4: async (params, context, scope) => ({ method: "sign.typedData", params: await signTypedDataCall(params, context, scope) }),
};

/**
 * `signer_checkPolicy [{ method, params }]`: evaluates a JSON-RPC signing request (`eth_sendTransaction`,
 * `eth_signTransaction`, `personal_sign`, `eth_sign`, `eth_signTypedData_v4`, with the params it would be sent
 * with) against its account's policy in the signer, without signing and without counting it against any limit.
 * The transaction is filled as eth_signTransaction would fill it. Answers `{ allowed, rule?, reason? }`.
 *
 * @example
 * ```ts
 * await checkPolicyRequest([{ method: "eth_sendTransaction", params: [{ from, to, value: "0x1" }] }], context, scope);
 * // { allowed: false, rule: "daily-eth", reason: "…" }
 * ```
 */
export async function checkPolicyRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<{ allowed: boolean; rule?: string; reason?: string }> {
  const [request] = params;
  if (params.length !== 1 || !isRecord(request) || typeof request.method !== "string" || !Array.isArray(request.params)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [{ method, params }] with a signing method's name and params");
  }
  const call = Object.hasOwn(SIGNER_CALLS, request.method) ? SIGNER_CALLS[request.method]! : undefined;
  if (!call) {
    throw new RpcError(RpcCode.invalidParams, `Invalid params: ${request.method.slice(0, 64)} is not a signing method (${Object.keys(SIGNER_CALLS).join(", ")})`);
  }
  return context.signer.request("policy.check", await call(request.params, context, scope));
}
