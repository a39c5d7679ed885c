import { hexToBytes, type Hex } from "viem";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/**
 * `eth_sign` `[address, data]`: the EIP-191 personal message signature of `data` (hex bytes), as geth and
 * every current wallet implement it, so a signature can never be a raw transaction or digest signature.
 *
 * @example
 * ```ts
 * const signature = await ethSignRequest([from, "0xdeadbeef"], context, scope);
 * ```
 */
export async function ethSignRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { signature } = await context.signer.request("sign.message", await ethSignCall(params, context, scope));
  return signature;
}

/** What `eth_sign` asks the signer for (also what `signer_checkPolicy` checks). */
export async function ethSignCall(params: unknown[], context: RpcContext, scope: RpcScope): Promise<{ address: Hex; message: Uint8Array }> {
  const [address, data] = params;
  if (typeof data !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(data)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [address, data] with data as 0x-prefixed hex bytes");
  }
  return { address: await context.account(address, scope), message: hexToBytes(data as Hex) };
}
