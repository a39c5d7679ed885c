export type NonceLease = {
  readonly nonce: number;
  /** The transaction was broadcast: the nonce is spent. */
  commit(): void;
  /** The transaction never left the proxy: the nonce is handed to the next send, so no gap is left. */
  release(): void;
  /** The node says the nonce is used (by another instance): forget local state, re-read it on the next reserve. */
  resync(): void;
};

export type NonceManager = {
  /** Reserves the next nonce for `key` (e.g. `${chainId}:${address}`); concurrent calls get distinct nonces. */
  reserve(key: string, address: string): Promise<NonceLease>;
  /** Number of resyncs so far (for metrics). */
  readonly resyncs: number;
};

/** Where the nonce of an account starts: the node's pending transaction count. */
export type NonceSource = (address: string) => Promise<number>;

/**
 * One nonce authority per account per proxy instance (DESIGN §7), with a pluggable source keyed by
 * `chainId:address` like viem's nonce manager. Concurrent reservations get consecutive nonces; a released
 * nonce is reused before a new one is taken, so a failed send leaves no gap; a resync re-reads the node's
 * pending count (never going below what this instance has in flight).
 *
 * @example
 * ```ts
 * const nonces = createNonceManager((address) => upstream.request("eth_getTransactionCount", [address, "pending"]).then(Number));
 * const lease = await nonces.reserve(`1:${from}`, from);
 * ```
 */
export function createNonceManager(source: NonceSource): NonceManager {
  type State = { next: number; released: number[]; stale: boolean; ready: Promise<void> | undefined };
  const states = new Map<string, State>();
  let resyncs = 0;

  const refresh = (state: State, address: string) => {
    state.ready ??= source(address).then(
      (pending) => {
        state.next = Math.max(state.stale ? state.next : 0, pending);
        state.released = state.released.filter((n) => n >= pending);
        state.stale = false;
        state.ready = undefined;
      },
      (error) => {
        state.ready = undefined;
        throw error;
      },
    );
    return state.ready;
  };

  return {
    get resyncs() {
      return resyncs;
    },
    async reserve(key, address) {
      let state = states.get(key);
      if (!state) {
        state = { next: -1, released: [], stale: true, ready: undefined };
        states.set(key, state);
      }
      while (state.stale || state.ready) await refresh(state, address);
      state.released.sort((a, b) => a - b);
      const nonce = state.released.length > 0 ? state.released.shift()! : state.next++;
      const s = state;
      let settled = false;
      const settle = (fn: () => void) => () => {
        if (settled) return;
        settled = true;
        fn();
      };
      return {
        nonce,
        commit: settle(() => {}),
        release: settle(() => {
          if (nonce === s.next - 1) s.next--;
          else s.released.push(nonce);
        }),
        resync: settle(() => {
          resyncs++;
          s.stale = true;
        }),
      };
    },
  };
}
