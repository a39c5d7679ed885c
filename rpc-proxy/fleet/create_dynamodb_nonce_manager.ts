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
 * item `nonce#<chainId decimal>#<address lowercase>` ({ version, next }) and changes only by a conditional write
 * on `version` (compare-and-swap), so two instances never hand out the same nonce.
 *
 * Leases are taken one take at a time: exactly the nonces the sender's group needs (one conditional UpdateItem per
 * group; the item as last written is cached, so a lone writer never reads first). Not blocks: a block parked in
 * one instance holds nonces that the other instances' later transactions would wait behind until it is used
 * (measured on dynalite: a take of 1 by CAS ≈ a block take, both one round trip; the block saves nothing the
 * group commit does not already batch, and costs gaps). Unused nonces on top of the sequence go back with a CAS
 * (`next` lowered only if it is still exactly past them); those below stay this instance's holes, handed out
 * first and filled by the sender as with the memory manager. The lease never goes below the node's `pending`
 * count (the node ahead: transactions sent from elsewhere).
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
  const swap = (pk: string, seen: Lease | null, next: number): Promise<boolean> =>
    seen === null
      ? table.put({ pk: { S: pk }, version: { N: "1" }, next: { N: String(next) } }, { condition: "attribute_not_exists(pk)" })
      : table.update(pk, "SET #next = :next, #version = :after", {
        condition: "#version = :before",
        names: { "#next": "next", "#version": "version" },
        values: { ":next": { N: String(next) }, ":after": { N: String(seen.version + 1) }, ":before": { N: String(seen.version) } },
      });
  const backOff = (attempt: number) => sleep(Math.min(200, 2 ** attempt) * (0.5 + random()));

  return {
    take(account, pending, count) {
      const s = sequence(account);
      return serialized(s, async () => {
        // The node's pending count is its next nonce past a gap-free run: a hole below it was used after all.
        s.holes = s.holes.filter((nonce) => nonce >= pending);
        const taken = s.holes.splice(0, count);
        const need = count - taken.length;
        if (need === 0) return taken;
        const pk = itemKey(account);
        for (let attempt = 0; attempt < maxAttempts; attempt++) {
          if (s.seen === undefined) s.seen = await read(pk);
          const first = Math.max(s.seen?.next ?? 0, pending);
          if (await swap(pk, s.seen, first + need)) {
            s.seen = { version: (s.seen?.version ?? 0) + 1, next: first + need };
            s.next = Math.max(s.next ?? 0, first + need);
            return [...taken, ...Array.from({ length: need }, (_, i) => first + i)];
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
