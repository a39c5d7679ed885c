import type { Hex, TransactionParams } from "../../signer/protocol/messages.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import { attachBlobSidecars } from "../transactions/attach_blob_sidecars.ts";
import { fillTransaction, type TransactionRequest } from "../transactions/fill_transaction.ts";
import { takeBlobSidecars } from "../transactions/take_blob_sidecars.ts";
import type { RpcContext, RpcScope } from "./rpc_context.ts";

/** A transaction request made ready to sign: whose it is, its filled fields, and how to wrap its signed form. */
export type PreparedTransaction = {
  readonly from: Hex;
  readonly transaction: TransactionParams;
  /** The signed transaction as eth_sendRawTransaction takes it: with the request's blob sidecars, if any. */
  wrap(raw: Hex): Hex;
};

/**
 * The first half of eth_sendTransaction and eth_signTransaction, shared: parse the first param (an object whose
 * `from` the signer holds and the caller may use, else EIP-1193 4100, never passed to the node; null fields
 * count as absent but `to: null`, contract creation), take the blob sidecars off it, and fill what it lacks
 * (`fillTransaction`). With `fees: false` the fees are left to the sender, which reads them just before signing.
 *
 * @example
 * ```ts
 * const { from, transaction, wrap } = await prepareTransactionRequest(params, context, scope, { fees: true });
 * ```
 */
export async function prepareTransactionRequest(
  params: unknown[],
  context: RpcContext,
  scope: RpcScope,
  options: { fees: boolean },
): Promise<PreparedTransaction> {
  const { request, sidecars } = takeBlobSidecars(await parseTransactionRequest(params, context, scope));
  const transaction = await fillTransaction(request, {
    upstream: context.upstream,
    chainId: await context.chainId(),
    fees: options.fees,
    hasBaseFee: () => context.hasBaseFee(),
  });
  return { from: request.from, transaction, wrap: (raw) => (sidecars ? attachBlobSidecars(raw, sidecars) : raw) };
}

async function parseTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<TransactionRequest> {
  const tx = params[0];
  if (typeof tx !== "object" || tx === null || Array.isArray(tx)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [transaction]");
  }
  const from = (tx as { from?: unknown }).from;
  if (typeof from !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(from)) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: transaction.from must be a 20-byte hex address");
  }
  const account = await context.account(from, scope);
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tx)) {
    if (value !== null || key === "to") request[key] = value;
  }
  return { ...(request as TransactionRequest), from: account };
}
