import type { Hex } from "../../signer/mod.ts";

/** One nonce sequence: an account on a chain. */
export type NonceAccount = { readonly from: Hex; readonly chainId: Hex };

/**
 * The nonce authority of the transaction sender (DESIGN §7): hands out each nonce of an account once, takes back
 * the ones that never reached the node, and never goes below the node's pending count. One implementation per
 * store (this instance's memory: `createNonceManager`; the fleet's shared store in the fleet-state work), each
 * passing `test/rpc-proxy/transactions/nonce_manager_contract.ts`. The sender calls it for one account at a time.
 */
export type NonceManager = {
  /**
   * `count` nonces for `account`, none below `pending` (the node's pending count for it): first the released ones
   * still above `pending`, lowest first, then consecutive ones past every nonce handed out.
   */
  take(account: NonceAccount, pending: number, count: number): Promise<number[]>;
  /**
   * Nonces taken that never reached the node. Those below a nonce that did are handed out again first (a gap
   * the account's later transactions wait behind); those on top of the sequence simply come next again.
   */
  release(account: NonceAccount, nonces: readonly number[]): Promise<void>;
  /** How many released nonces wait below the top of the sequence (the sender fills them if no send comes). */
  released(account: NonceAccount): number;
  /** The nonce past every one handed out (released ones on top excluded); undefined before the first. */
  next(account: NonceAccount): number | undefined;
  /**
   * Other instances hand out nonces of the same sequences (the fleet lease): below `next` lie nonces this
   * instance never had, so when the node falls behind, the sender takes back only its own (its holes, and what it
   * still watches, which the watch broadcasts again), never the range between. Absent: this instance is the only one.
   */
  readonly shared?: boolean;
};

/**
 * One key per account and chain, whatever the case of either's hex ("0x7a69" and "0x7A69" are one chain).
 *
 * @example
 * ```ts
 * nonceAccountKey({ from: "0xAbC…", chainId: "0x7A69" }); // "31337:0xabc…"
 * ```
 */
export function nonceAccountKey({ from, chainId }: NonceAccount): string {
  return `${/^0x[0-9a-fA-F]+$/.test(chainId) ? BigInt(chainId) : chainId}:${from.toLowerCase()}`;
}
