import { type Hex, isHexAddress, type SignerClient } from "../../signer/mod.ts";
import type { Caller } from "../auth/create_caller.ts";
import type { RpcEntry } from "../jsonrpc/handle_rpc_body.ts";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { TransactionSender } from "../transactions/create_transaction_sender.ts";
import type { SignTransaction } from "../transactions/sign_transaction_with.ts";
import type { Upstream } from "../upstream/create_upstream.ts";

/** What every method handler may use; built once per proxy by `createRpcContext`. */
export type RpcContext = {
  readonly signer: SignerClient;
  readonly upstream: Upstream;
  /** Nonces, fees, signing and broadcast of eth_sendTransaction (one group commit per account). */
  readonly sender: TransactionSender;
  /** The signature of a complete transaction (the same function the sender signs with). */
  readonly signTransaction: SignTransaction;
  /** The node's chain id, asked once and cached. */
  chainId(): Promise<Hex>;
  /** Whether the chain has a base fee (EIP-1559), from the latest block; cached once it has (it then always will). */
  hasBaseFee(): Promise<boolean>;
  /** The signer's accounts (checksummed) that `caller` may use. */
  accounts(caller: Caller): Promise<Hex[]>;
  /**
   * The checksummed account for `address` (any case), recorded on the entry for its log line; EIP-1193 4100
   * when the signer does not hold it or the caller's API key does not allow it.
   */
  account(address: unknown, scope: RpcScope): Promise<Hex>;
};

/** Who is asking and what their entry has touched so far. */
export type RpcScope = { readonly caller: Caller; readonly entry: RpcEntry };

export type RpcHandler = (params: unknown[], context: RpcContext, scope: RpcScope) => Promise<unknown>;

/**
 * Builds the shared context. The account list is re-read from the signer on a miss, so a key loaded while the
 * proxy runs is served at once.
 *
 * @example
 * ```ts
 * const signTransaction = signTransactionWith(signer);
 * const context = createRpcContext({ signer, upstream, signTransaction, sender: createTransactionSender({ upstream, sign: signTransaction }) });
 * ```
 */
export function createRpcContext(parts: { signer: SignerClient; upstream: Upstream; sender: TransactionSender; signTransaction: SignTransaction }): RpcContext {
  let chainId: Promise<Hex> | undefined;
  let baseFee = false;
  let known = new Map<string, Hex>();
  const list = async () => {
    const accounts = (await parts.signer.request("keys.list", {})).map((a) => a.address);
    known = new Map(accounts.map((a) => [a.toLowerCase(), a]));
    return accounts;
  };
  return {
    ...parts,
    chainId() {
      chainId ??= parts.upstream.request<Hex>("eth_chainId").catch((error) => {
        chainId = undefined;
        throw error;
      });
      return chainId;
    },
    async hasBaseFee() {
      if (baseFee) return true;
      const block = await parts.upstream.request<{ baseFeePerGas?: Hex } | null>("eth_getBlockByNumber", ["latest", false]);
      return (baseFee = block?.baseFeePerGas !== undefined);
    },
    async accounts(caller) {
      return (await list()).filter((a) => caller.allowsAccount(a));
    },
    async account(address, scope) {
      if (!isHexAddress(address)) {
        throw new RpcError(RpcCode.invalidParams, "Invalid params: expected a 20-byte hex address");
      }
      // The grant first, before asking the signer: outside it, the answer (and its timing) must not tell the
      // caller whether the signer holds the account.
      if (!scope.caller.allowsAccount(address)) {
        throw new RpcError(RpcCode.unauthorized, `Unauthorized: this API key may not use account ${address}`);
      }
      const key = address.toLowerCase();
      if (!known.has(key)) await list();
      const account = known.get(key);
      if (!account) throw new RpcError(RpcCode.unauthorized, `Unauthorized: the signer does not hold account ${address}`);
      scope.entry.account = account;
      return account;
    },
  };
}
