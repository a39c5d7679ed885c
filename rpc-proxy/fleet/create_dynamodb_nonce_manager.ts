import { nonceAccountKey, type NonceAccount, type NonceManager } from "../transactions/nonce_manager.ts";
import { FleetStateBusyError } from "./fleet_state_errors.ts";
import type { StateTable } from "./create_state_table.ts";

export type CreateDynamoDbNonceManagerOptions = {
  /** The fleet's state table. */
  readonly table: StateTable;
  /** Attempts of one lease (or return) against other instances' writes. @default 12 */
  readonly maxAttempts?: number;
  /** A conditional write lost to another instance (metrics: lease conflicts). */
  readonly onConflict?: () => void;
  /** Waits before the next attempt (jittered back-off). @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
};

/** The table's item of one sequence, as this instance last read or wrote it. */
type Lease = { version: number; next: number };

type Sequence = {
  /** The nonce past every one this instance handed out (returned ones on top excluded). */
  next: number | undefined;
  /** Released nonces below the table's next, ascending: this instance's to hand out again (or the sender fills them). */
  holes: number[];
  /** The item as last seen; undefined: read it before the next write. null: the table has none. */
  seen: Lease | null | undefined;
  /** Serializes this instance's calls for the sequence. */
  queue: Promise<unknown>;
};

/**
 * The fleet's nonce manager (issue 13, docs/fleet-state.md): per `(chainId, account)` the next nonce lives in the
 * item `nonce#<chainId decimal>#<address lowercase>` ({ version, next }) and changes only by conditional writes,
 * each of which increments `version`, so two instances never hand out the same nonce:
 * - a take adds the nonces it needs to `next` atomically, on the condition `next >= pending` (the node's pending
 *   count): one UpdateItem that never loses to another instance's take;
 * - when the item is absent or the node is ahead (transactions sent from elsewhere), a compare-and-swap on
 *   `version` sets `next` past the pending count (lost: read again, jittered back-off, bounded: FLEET_STATE_BUSY);
 * - unused nonces on top of the sequence go back by a compare-and-swap on `version` (and `next` still exactly past
 *   them); those below stay this instance's holes, handed out first and filled by the sender as with the memory
 *   manager.
 *
 * Leases are taken per take, exactly the nonces the sender's group needs, not in blocks: a block parked in one
 * instance holds nonces that the other instances' later transactions would wait behind until it is used or
 * filled. Measured on dynalite (2 vCPUs, shared): one conditional write ≈ 20 ms, so one nonce per write is ≈ 50 per
 * second per account where blocks of 16 reach ≈ 900; the group commit already takes every send waiting for an
 * account in one write, so the per-send cost falls as load rises, without gaps. A version compare-and-swap for
 * every take was measured too: two instances taking one nonce each 10 ms lost 265 of 400 writes, and two tight
 * loops starved one of them (FLEET_STATE_BUSY); the atomic add loses none.
 *
 * @example
 * ```ts
 * const nonces = createDynamoDbNonceManager({ table: createStateTable({ client, table: "nitro-signer-state" }) });
 * const sender = createTransactionSender({ upstream, sign, nonces });
 * ```
 */
export function createDynamoDbNonceManager(options: CreateDynamoDbNonceManagerOptions): NonceManager {
  const { table } = options;
  const maxAttempts = options.maxAttempts ?? 12;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const random = options.random ?? Math.random;
  const sequences = new Map<string, Sequence>();
  const sequence = (account: NonceAccount): Sequence => {
    const key = nonceAccountKey(account);
    let found = sequences.get(key);
    if (!found) sequences.set(key, (found = { next: undefined, holes: [], seen: undefined, queue: Promise.resolve() }));
    return found;
  };
  const serialized = <T>(s: Sequence, run: () => Promise<T>): Promise<T> => {
    const result = s.queue.then(run, run);
    s.queue = result.catch(() => undefined);
    return result;
  };
  const read = async (pk: string): Promise<Lease | null> => {
    const item = await table.get(pk);
    if (!item) return null;
    return { version: Number(item["version"]?.N ?? "0"), next: Number(item["next"]?.N ?? "0") };
  };
  /** Sets the item to `next` if it is still `seen` (absent when null); false if another instance wrote first. */
  const swap = async (pk: string, seen: Lease | null, next: number): Promise<boolean> =>
    (await (seen === null
      ? table.put({ pk: { S: pk }, version: { N: "1" }, next: { N: String(next) } }, { condition: "attribute_not_exists(pk)" })
      : table.update(pk, "SET #next = :next, #version = :after", {
        condition: "#version = :before",
        names: { "#next": "next", "#version": "version" },
        values: { ":next": { N: String(next) }, ":after": { N: String(seen.version + 1) }, ":before": { N: String(seen.version) } },
      }))) !== false;
  /**
   * The common case in one round trip that never loses to another instance: the table's next is at or past the
   * node's pending count, so `count` more are added atomically (and the version with them). Undefined when the item
   * is absent or the node is ahead of it (then a compare-and-swap sets it past the pending count).
   */
  const add = async (pk: string, pending: number, count: number): Promise<Lease | undefined> => {
    const out = await table.update(pk, "SET #next = #next + :count, #version = #version + :one", {
      condition: "#next >= :pending",
      names: { "#next": "next", "#version": "version" },
      values: { ":count": { N: String(count) }, ":one": { N: "1" }, ":pending": { N: String(pending) } },
    });
    return out === false ? undefined : { version: Number(out["version"]?.N ?? "0"), next: Number(out["next"]?.N ?? "0") };
  };
  const backOff = (attempt: number) => sleep(Math.min(200, 2 ** attempt) * (0.5 + random()));

  return {
    shared: true,
    take(account, pending, count) {
      const s = sequence(account);
      return serialized(s, async () => {
        // The node's pending count is its next nonce past a gap-free run: a hole below it was used after all.
        s.holes = s.holes.filter((nonce) => nonce >= pending);
        const taken = s.holes.splice(0, count);
        const need = count - taken.length;
        if (need === 0) return taken;
        const pk = itemKey(account);
        const leased = (first: number) => {
          s.next = Math.max(s.next ?? 0, first + need);
          return [...taken, ...Array.from({ length: need }, (_, i) => first + i)];
        };
        for (let attempt = 0; attempt < maxAttempts; attempt++) {
          // Known absent or behind the node: straight to the compare-and-swap.
          const skipAdd = s.seen === null || (s.seen !== undefined && s.seen.next < pending);
          const added = skipAdd ? undefined : await add(pk, pending, need);
          if (added) {
            s.seen = added;
            return leased(added.next - need);
          }
          if (!skipAdd || s.seen === undefined) s.seen = await read(pk);
          if (s.seen !== null && s.seen.next >= pending) continue; // moved past the pending count meanwhile: add again
          const first = Math.max(s.seen?.next ?? 0, pending);
          if (await swap(pk, s.seen, first + need)) {
            s.seen = { version: (s.seen?.version ?? 0) + 1, next: first + need };
            return leased(first);
          }
          options.onConflict?.();
          s.seen = undefined;
          if (attempt > 0) await backOff(attempt);
        }
        s.holes.unshift(...taken);
        throw new FleetStateBusyError(pk, maxAttempts);
      });
    },
    release(account, nonces) {
      const s = sequence(account);
      return serialized(s, async () => {
        s.holes = [...new Set([...s.holes, ...nonces])].sort((a, b) => a - b);
        if (s.next === undefined) return;
        // The run of released nonces just below this instance's next: back to the table if no one leased past it.
        let start = s.next;
        while (s.holes.includes(start - 1)) start--;
        if (start === s.next) return;
        const pk = itemKey(account);
        try {
          for (let attempt = 0; attempt < maxAttempts; attempt++) {
            if (s.seen === undefined) s.seen = await read(pk);
            if (s.seen === null || s.seen.next !== s.next) return; // another instance leased past them: they stay holes
            if (await swap(pk, s.seen, start)) {
              s.seen = { version: s.seen.version + 1, next: start };
              s.holes = s.holes.filter((nonce) => nonce < start);
              s.next = start;
              return;
            }
            options.onConflict?.();
            s.seen = undefined;
            if (attempt > 0) await backOff(attempt);
          }
        } catch {
          // The table unreachable: the nonces stay this instance's holes (handed out again, or filled): never lost.
          s.seen = undefined;
        }
      });
    },
    released(account) {
      return sequences.get(nonceAccountKey(account))?.holes.length ?? 0;
    },
    next(account) {
      return sequences.get(nonceAccountKey(account))?.next;
    },
  };
}

/** The item of one sequence: `nonce#<chainId decimal>#<address lowercase>`. */
function itemKey({ from, chainId }: NonceAccount): string {
  if (!/^0x[0-9a-fA-F]+$/.test(chainId)) throw new TypeError(`Invalid chainId ${chainId}: expected hex`);
  return `nonce#${BigInt(chainId)}#${from.toLowerCase()}`;
}
