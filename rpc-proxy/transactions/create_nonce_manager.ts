import { nonceAccountKey, type NonceAccount, type NonceManager } from "./nonce_manager.ts";

type Sequence = {
  /** The next nonce past every one handed out; never below the node's pending count at the last take. */
  next: number;
  /** Released nonces below `next`, ascending: the next takes use them first. */
  holes: number[];
};

/**
 * The nonce manager of one proxy instance, in its memory: one sequence per account and chain (whatever the case of
 * either's hex: "0x7a69" and "0x7A69" are one chain). Several instances sending from one account rely on the
 * node's pending count, read for every take, to skip the nonces the others already have in the pool.
 *
 * @example
 * ```ts
 * const nonces = createNonceManager();
 * const [nonce] = await nonces.take({ from, chainId: "0x1" }, pending, 1);
 * ```
 */
export function createNonceManager(): NonceManager {
  const sequences = new Map<string, Sequence>();
  const sequence = (account: NonceAccount): Sequence => {
    const key = nonceAccountKey(account);
    let found = sequences.get(key);
    if (!found) sequences.set(key, (found = { next: 0, holes: [] }));
    return found;
  };
  return {
    async take(account, pending, count) {
      const s = sequence(account);
      s.next = Math.max(s.next, pending);
      // The node's pending count is its next nonce past a gap-free run: a hole below it was used after all.
      s.holes = s.holes.filter((nonce) => nonce >= pending);
      return Array.from({ length: count }, () => s.holes.shift() ?? s.next++);
    },
    async release(account, nonces) {
      const s = sequence(account);
      const holes = new Set([...s.holes, ...nonces]);
      while (holes.has(s.next - 1)) holes.delete(--s.next);
      s.holes = [...holes].sort((a, b) => a - b);
    },
    released(account) {
      return sequences.get(nonceAccountKey(account))?.holes.length ?? 0;
    },
    next(account) {
      return sequences.get(nonceAccountKey(account))?.next;
    },
  };
}
