import type { Hex } from "viem";
import { MAX_PARAMS_DEPTH, nestingDepth } from "../../signer/mod.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * `eth_signTypedData_v4` `[address, typedData]`: an EIP-712 signature. The typed data may be a JSON string
 * (viem, ethers, MetaMask's convention) or an object. The node's chain id goes to the signer, which refuses
 * typed data whose `domain.chainId` names another chain (JSON-RPC -32050 with the reason).
 *
 * @example
 * ```ts
 * const signature = await signTypedDataRequest([from, JSON.stringify(typedData)], context, scope);
 * ```
 */
export async function signTypedDataRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { signature } = await context.signer.request("sign.typedData", await signTypedDataCall(params, context, scope));
  return signature;
}

/** What `eth_signTypedData_v4` asks the signer for (also what `signer_checkPolicy` checks). */
export async function signTypedDataCall(
  params: unknown[],
  context: RpcContext,
  scope: RpcScope,
): Promise<{ address: Hex; typedData: Record<string, unknown>; chainId: Hex }> {
  const [address, value] = params;
  let typedData: unknown = value;
  if (typeof value === "string") {
    try {
      typedData = JSON.parse(value);
    } catch {
      throw new RpcError(RpcCode.invalidParams, "Invalid params: typed data is not valid JSON");
    }
    // The same bound as on params (handleRpcBody), which a JSON string inside them escapes.
    if (nestingDepth(typedData, MAX_PARAMS_DEPTH) > MAX_PARAMS_DEPTH) {
      throw new RpcError(RpcCode.invalidParams, `Invalid params: typed data nested deeper than ${MAX_PARAMS_DEPTH} levels`);
    }
  }
  if (typeof typedData !== "object" || typedData === null || Array.isArray(typedData)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [address, typedData]");
  }
  const account = await context.account(address, scope);
  return { address: account, typedData: typedData as Record<string, unknown>, chainId: await context.chainId() };
}
