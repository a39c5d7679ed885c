import type { Hex } from "../../signer/protocol/messages.ts";
import type { SignerClient } from "../../signer/protocol/create_signer_client.ts";
import type { NonceManager } from "../transactions/create_nonce_manager.ts";
import type { Upstream } from "../upstream/create_upstream.ts";

/** What every method handler may use; built once per proxy by `createRpcContext`. */
export type RpcContext = {
  readonly signer: SignerClient;
  readonly upstream: Upstream;
  readonly nonces: NonceManager;
  /** The node's chain id, asked once and cached. */
  chainId(): Promise<Hex>;
  /** The signer's accounts (checksummed). */
  accounts(): Promise<Hex[]>;
  /** The signer's checksummed address for `address` (any case), or undefined if it does not hold it. */
  findAccount(address: string): Promise<Hex | undefined>;
};

export type RpcHandler = (params: unknown[], context: RpcContext) => Promise<unknown>;

/**
 * Builds the shared context. The account list is re-read from the signer on a miss, so a key added while the
 * proxy runs is served at once.
 *
 * @example
 * ```ts
 * const context = createRpcContext({ signer, upstream, nonces: createNonceManager(source) });
 * ```
 */
export function createRpcContext(parts: { signer: SignerClient; upstream: Upstream; nonces: NonceManager }): RpcContext {
  let chainId: Promise<Hex> | undefined;
  let known = new Map<string, Hex>();
  const accounts = async () => {
    const list = (await parts.signer.request("keys.list", {})).map((a) => a.address);
    known = new Map(list.map((a) => [a.toLowerCase(), a]));
    return list;
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
    accounts,
    async findAccount(address) {
      const key = address.toLowerCase();
      if (!known.has(key)) await accounts();
      return known.get(key);
    },
  };
}
