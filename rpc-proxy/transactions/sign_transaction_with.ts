import type { Hex, SignerClient, TransactionParams } from "../../signer/mod.ts";

/** Signs a complete transaction in the enclave; resolves with the raw signed transaction. */
export type SignTransaction = (from: Hex, transaction: TransactionParams) => Promise<Hex>;

/**
 * The proxy's one way of asking the signer for a transaction signature (`sign.transaction`), shared by the
 * sender (eth_sendTransaction) and eth_signTransaction.
 *
 * @example
 * ```ts
 * const sign = signTransactionWith(signer);
 * const raw = await sign(from, { chainId: "0x1", type: "0x2", nonce: "0x0", gas: "0x5208", maxFeePerGas, maxPriorityFeePerGas, to });
 * ```
 */
export function signTransactionWith(signer: SignerClient): SignTransaction {
  return async (address, transaction) => (await signer.request("sign.transaction", { address, transaction })).raw;
}
