import { hexToBytes, stringToBytes, type Hex } from "viem";
import { isHexAddress } from "../../signer/mod.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

const HEX_BYTES = /^0x([0-9a-fA-F]{2})*$/;

/**
 * `personal_sign` `[message, address]`: an EIP-191 personal message signature, as geth defines the method.
 * The message is hex bytes (what viem and ethers send); text that is not hex is signed as its UTF-8 bytes, as
 * MetaMask does. A swapped `[address, message]` is accepted only when unambiguous (the second param is not an
 * address).
 *
 * @example
 * ```ts
 * const signature = await personalSignRequest(["0x68656c6c6f", from], context, scope);
 * ```
 */
export async function personalSignRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<Hex> {
  const { signature } = await context.signer.request("sign.message", await personalSignCall(params, context, scope));
  return signature;
}

/** What `personal_sign` asks the signer for (also what `signer_checkPolicy` checks). */
export async function personalSignCall(params: unknown[], context: RpcContext, scope: RpcScope): Promise<{ address: Hex; message: Uint8Array }> {
  let [message, address] = params;
  if (typeof address === "string" && !isHexAddress(address) && isHexAddress(message)) {
    [message, address] = [address, message];
  }
  if (typeof message !== "string") throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [message, address]");
  const account = await context.account(address, scope);
  return { address: account, message: HEX_BYTES.test(message) ? hexToBytes(message as Hex) : stringToBytes(message) };
}
