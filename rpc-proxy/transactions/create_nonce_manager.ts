export type NonceLease = {
  readonly nonce: number;
  /** The transaction was broadcast: the nonce is spent. */
  commit(): void;
  /** The transaction never reached the node: the same nonce goes to the next send, so no gap is left. */
  release(): void;
  /** The node says the nonce is used (another instance sent it): re-read the node's pending count. */
  resync(): void;
};

export type NonceManager = {
  /**
   * Reserves the next nonce for `key` (e.g. `${chainId}:${address}`). Reservations for one key are served one
   * at a time: the next one waits until the lease before it is committed, released or resynced.
   */
  reserve(key: string, address: string): Promise<NonceLease>;
  /** Number of resyncs so far. */
  readonly resyncs: number;
};

/** Where the nonce of an account starts: the node's pending transaction count. */
export type NonceSource = (address: string) => Promise<number>;

export type CreateNonceManagerOptions = {
  /** Called on every resync (for metrics). */
  onResync?: () => void;
  /**
   * When the node's pending count is read: at every reservation (so another instance's transactions already
   * in the pool are never competed with), or only when the account was idle. Either way also at the first
   * reservation and after a resync. @default "always"
   */
  readPending?: "always" | "when-idle";
};

/**
 * One nonce authority per account per proxy instance (DESIGN §7), with a pluggable source keyed like viem's
 * nonce manager. Like a node's own `eth_sendTransaction` (geth holds a per-account lock from nonce to pool),
 * a lease is held from reservation through signing to the broadcast's answer, so concurrent sends get
 * consecutive nonces and reach the node in nonce order, and a send that fails before broadcast hands its
 * nonce to the next one: no gap is ever left behind. The node's pending count is read under the lease (see
 * `readPending`), so a nonce another instance already has in the node's pool is skipped rather than competed
 * for; the nonce never goes below what this instance has used.
 *
 * @example
 * ```ts
 * const nonces = createNonceManager((address) => upstream.request("eth_getTransactionCount", [address, "pending"]).then(Number));
 * const lease = await nonces.reserve(`1:${from}`, from);
 * try { await broadcast(lease.nonce); lease.commit(); } catch { lease.release(); }
 * ```
 */
export function createNonceManager(source: NonceSource, options: CreateNonceManagerOptions = {}): NonceManager {
  type State = { next: number; stale: boolean; tail: Promise<void>; holders: number };
  const states = new Map<string, State>();
  const always = (options.readPending ?? "always") === "always";
  let resyncs = 0;

  return {
    get resyncs() {
      return resyncs;
    },
    async reserve(key, address) {
      let state = states.get(key);
      if (!state) {
        state = { next: 0, stale: true, tail: Promise.resolve(), holders: 0 };
        states.set(key, state);
      }
      const s = state;
      s.holders++;
      const previous = s.tail;
      let unlock!: () => void;
      s.tail = new Promise<void>((resolve) => (unlock = resolve));
      const done = () => {
        s.holders--;
        if (s.holders === 0) s.stale = true;
        unlock();
      };
      await previous;
      if (s.stale || always) {
        try {
          s.next = Math.max(s.next, await source(address));
          s.stale = false;
        } catch (error) {
          done();
          throw error;
        }
      }
      const nonce = s.next;
      let settled = false;
      const settle = (fn: () => void) => () => {
        if (settled) return;
        settled = true;
        fn();
        done();
      };
      return {
        nonce,
        commit: settle(() => {
          s.next = nonce + 1;
        }),
        release: settle(() => {
          s.next = nonce;
        }),
        resync: settle(() => {
          resyncs++;
          options.onResync?.();
          s.next = nonce + 1;
          s.stale = true;
        }),
      };
    },
  };
}
