import { describeValue, type Hex, InvalidParamsError, isHexAddress, isRecord, parseAddress, parseHexBytes, parseQuantity, type TransactionParams } from "../../signer/mod.ts";
import { attachBlobSidecars } from "../transactions/attach_blob_sidecars.ts";
import { createGasEstimator, type GasEstimator } from "../transactions/create_gas_estimator.ts";
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
 * (`fillTransaction`; gas for a plain transfer to an address without code is 21,000 with no estimate,
 * `createGasEstimator`, one per node client). With `fees: false` the fees are left to the sender, which reads them just before signing.
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
  const gas = gasEstimatorFor(context.upstream);
  // A contract creation or an EIP-7702 authorization may give an address code: no code lookup is trusted for a while.
  if (request.to === undefined || request.to === null || request.authorizationList !== undefined) gas.forget();
  const transaction = await fillTransaction(request, {
    upstream: context.upstream,
    chainId: await context.chainId(),
    fees: options.fees,
    hasBaseFee: () => context.hasBaseFee(),
    estimateGas: (r) => gas.estimate(r),
  });
  return { from: request.from, transaction, wrap: (raw) => (sidecars ? attachBlobSidecars(raw, sidecars) : raw) };
}

/** One gas estimator (and its code cache) per node client, so every request through one proxy shares it. */
const estimators = new WeakMap<object, GasEstimator>();
function gasEstimatorFor(upstream: RpcContext["upstream"]): GasEstimator {
  let found = estimators.get(upstream);
  if (!found) estimators.set(upstream, (found = createGasEstimator(upstream)));
  return found;
}

async function parseTransactionRequest(params: unknown[], context: RpcContext, scope: RpcScope): Promise<TransactionRequest> {
  const tx = params[0];
  if (!isRecord(tx)) throw new InvalidParamsError("params[0]", `expected a transaction object, got ${describeValue(tx)}`);
  const { from } = tx;
  if (!isHexAddress(from)) throw new InvalidParamsError("params[0].from", `expected a 20-byte address, got ${describeValue(from)}`);
  checkFields(tx);
  const account = await context.account(from, scope);
  const request: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(tx)) {
    if (value !== null || key === "to") request[key] = value;
  }
  return { ...(request as TransactionRequest), from: account };
}

const UINT64_FIELDS = ["gas", "nonce"] as const;
const UINT256_FIELDS = ["value", "gasPrice", "maxFeePerGas", "maxPriorityFeePerGas", "maxFeePerBlobGas", "chainId"] as const;

/**
 * The caller's fields the proxy fills around and sends to the node (estimates), checked by the signer's rules first,
 * so a malformed one is named (`params[0].to: expected a 20-byte address`) instead of coming back as the node's
 * error about something else. The signer checks the complete transaction again before it signs.
 */
function checkFields(tx: Record<string, unknown>): void {
  const at = (field: string) => `params[0].${field}`;
  if (tx.to !== undefined && tx.to !== null) parseAddress(tx.to, at("to"));
  for (const field of UINT64_FIELDS) if (tx[field] !== undefined && tx[field] !== null) parseQuantity(tx[field], at(field), { bits: 64 });
  for (const field of UINT256_FIELDS) if (tx[field] !== undefined && tx[field] !== null) parseQuantity(tx[field], at(field));
  for (const field of ["data", "input"]) if (tx[field] !== undefined && tx[field] !== null) parseHexBytes(tx[field], at(field));
}
