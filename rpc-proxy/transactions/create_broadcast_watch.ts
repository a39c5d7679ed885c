import type { Hex } from "../../signer/mod.ts";
import { UpstreamRpcError } from "../jsonrpc/rpc_error.ts";
import type { Upstream, UpstreamCall, UpstreamOutcome } from "../upstream/create_upstream.ts";
import type { LatestBlock } from "./fill_fees.ts";

/** A transaction the node accepted: its hash, nonce, and the exact bytes broadcast (sent again as they are). */
export type Broadcast = { hash: Hex; nonce: number; raw: Hex };

export type BroadcastWatch = {
  /**
   * Watches transactions of `from` the node just accepted and resolves with the hashes of those another sender's
   * transaction replaced at their nonce (its nonce mined, the node no longer knows it); the others are kept: seen
   * in a block, or still held by the node after `graceMs` (stretched to three times the time blocks have taken to
   * show a broadcast, while that is under a second) (or lost by it, then broadcast again). Kept ones stay
   * watched until mined (`keep`).
   */
  watch(from: Hex, sent: readonly Broadcast[], graceMs: number): Promise<Set<Hex>>;
  /** Keeps each of `sent` until it is seen in a block, broadcasting the same bytes again if the node loses it. */
  keep(from: Hex, sent: readonly Broadcast[]): void;
  /** The latest block the proxy has seen, read again when older than `maxAgeMs`. */
  latestBlock(maxAgeMs: number): Promise<LatestBlock>;
  /** The nonces of `from` signed and accepted but not yet seen mined, ascending. */
  unmined(from: Hex): number[];
};

export type CreateBroadcastWatchOptions = {
  upstream: Upstream;
  /** A kept transaction not seen mined after this many new blocks is looked up, and sent again if lost. @default 3 */
  rebroadcastBlocks?: number;
  /** …or after this long without being seen mined (a chain that mines only when sent to). @default 2000 */
  rebroadcastMs?: number;
  /** A transaction lost and broadcast again (the same bytes). */
  onRebroadcast?: () => void;
  /**
   * The node's pending count for `from` is below the lowest nonce still watched (`lowest`), and below the
   * nonces handed out: the nonces between were lost with a node that forgot them (a restart without its pool
   * or its chain). The sender fills them.
   */
  onBehind?: (from: Hex, pending: number, lowest: number) => void;
  /** A kept transaction (its caller already answered) whose nonce another transaction took: it will never be mined. */
  onLost?: (from: Hex, hash: Hex) => void;
  /** @default setTimeout, unref'd when `idle` (no sender waits) */
  sleep?: (ms: number, idle: boolean) => Promise<void>;
  /** @default performance.now */
  now?: () => number;
};

type Tracked = {
  readonly from: Hex;
  readonly hash: Hex;
  readonly nonce: number;
  readonly raw: Hex;
  /** When last broadcast (or last found still held by the node). */
  since: number;
  /** When the sender broadcast it. */
  readonly sent: number;
  /** New blocks seen since then. */
  blocks: number;
  /** Consecutive lookups that found it not mined: the next one waits twice as long. */
  looks: number;
  /** The sender waits for the first verdict, until `until`. */
  waiter?: { until: number; settle(replaced: boolean): void };
};

type Block = { number: Hex; hash?: Hex; parentHash?: Hex; baseFeePerGas?: Hex; transactions?: unknown[] } | null;

/**
 * Blocks read back at most when catching up after a pause; older ones are left to the lookup by hash. As many
 * recent blocks' hashes are kept, with what was seen mined in them: should they leave the chain (a node
 * restarted from an older state, a reorg), what they held is watched again.
 */
const MAX_CATCH_UP = 32;
/** Polling while a sender waits: the first look (see `firstLookMs`), then from 1 ms, doubling, up to this. */
const MAX_WAITING_POLL_MS = 50;
/** The first look after a broadcast waits at most this. */
const MAX_FIRST_LOOK_MS = 20;
/**
 * A sender's grace is stretched to three times the time blocks have taken to show a new broadcast, while that is
 * within this: on a chain that mines fast (Anvil's automine, short block times) the block is seen a little later,
 * in one read, instead of a lookup of every transaction of the group.
 */
const MAX_STRETCHED_GRACE_MS = 1000;
/** How much of each new sample the estimate of that time takes (an exponential moving average). */
const MINED_DELAY_WEIGHT = 0.3;
/**
 * A sender's transactions past its grace, this many or more from one account, are looked at by the account's two
 * counts (mined, pending) rather than each by hash; those whose nonce is mined are then looked up by hash. The
 * verdicts are those of the lookups by hash: still pending by hash means the node holds something at its nonce,
 * so the pending count is past it (and where a rival took its place in the pool, a broadcast again of the same
 * bytes would be refused: kept either way); unknown by hash with its nonce not mined is lost, the node holding
 * nothing at it, or held behind a nonce the node lost (broadcast again: "already known" if it is there).
 */
const BY_COUNTS_FROM = 3;
/** Polling while only kept transactions are watched, or senders wait on a slow chain (see `SLOW_MINED_SHARE`). */
const IDLE_POLL_MS = 500;
/**
 * Below this share of waiting senders' transactions found mined by the end of their grace, the chain is slow (its
 * blocks come on their own clock, not at each broadcast): polling for blocks while senders wait would cost a
 * read every few milliseconds and settle almost nothing, so each sender's transactions are looked up once, when
 * its grace ends, and blocks are read every IDLE_POLL_MS. The share is a moving average with one sample per
 * look that settled senders' transactions: 1 for a block read that showed some, the share found mined for a
 * lookup. A chain that speeds up again is noticed from the lookups; a node that leaves a whole group pending
 * once (Anvil sometimes does) does not make a fast chain count as slow.
 */
const SLOW_MINED_SHARE = 0.5;
const MINED_SHARE_WEIGHT = 0.2;

/** Errors that say the node already holds the transaction (so a broadcast again changed nothing). */
const ALREADY_KNOWN = /already known|known transaction|already imported|AlreadyKnown/i;
/** Errors that say the nonce is used: a transaction with it is mined. */
const NONCE_MINED = /nonce too low|OldNonce/i;

/**
 * The proxy's watch over what it broadcast (issue 14, issue 16), by block rather than by transaction: one loop
 * for every account reads the latest block (hashes only) while anything is watched, and every block since the
 * last one it saw, so one `eth_getBlockByNumber` per new block covers every send mined in it. The same reads keep
 * the latest block for the fees (`latestBlock`).
 *
 * While a sender waits, the latest block is read every few milliseconds, as a node that mines at each broadcast
 * (Anvil's automine) shows it in a block almost at once; on a chain whose blocks come on their own clock, where
 * sends are still pending when their grace ends (`SLOW_MINED_SHARE`), blocks are read every IDLE_POLL_MS instead.
 *
 * Every transaction stays watched until it is seen in a block. One not seen by the end of its sender's grace,
 * or (once kept) after `rebroadcastBlocks` new blocks or `rebroadcastMs`, is looked up: a waiting one by hash,
 * and its account's mined count only if the node does not know it; a kept one, or a waiting one of three or more
 * from its account (`BY_COUNTS_FROM`), by its account's mined and pending counts first, and by hash only once
 * its nonce is mined or the node holds nothing at it:
 * - mined (a block the loop skipped): done;
 * - held by the node: kept, looked at again later (each time after twice as long);
 * - unknown, its nonce mined: another sender's transaction took the nonce — replaced (the waiting sender sends
 *   it again with a new nonce; one already answered is reported with `onLost`);
 * - unknown, its nonce not mined: the node lost it (evicted, restarted without its pool): the same bytes are
 *   broadcast again (`onRebroadcast`), and if the node's pending count is then below every nonce still watched,
 *   `onBehind` tells the sender the nonces it must fill.
 *
 * A transaction seen mined is remembered for MAX_CATCH_UP blocks with the hash of its block: when the chain goes
 * back, or a block does not follow the last one seen (a node restarted from an older state, a reorg), it is
 * watched again, so one whose block was lost is broadcast again rather than its nonce filled by another. While
 * nothing is watched nothing is read: such a change is noticed at the next send.
 *
 * When the node cannot be asked, nothing is concluded: a transaction counts as kept (the node accepted it); once
 * it answers again, everything watched is looked up at once (it may have restarted without its pool).
 *
 * @example
 * ```ts
 * const watch = createBroadcastWatch({ upstream, onRebroadcast: () => metrics.rebroadcast() });
 * const replaced = await watch.watch(from, [{ hash, nonce: 7, raw }], 50);
 * ```
 */
export function createBroadcastWatch(options: CreateBroadcastWatchOptions): BroadcastWatch {
  const { upstream } = options;
  const rebroadcastBlocks = options.rebroadcastBlocks ?? 3;
  const rebroadcastMs = options.rebroadcastMs ?? 2000;
  const now = options.now ?? (() => performance.now());
  // While a sender waits, the clock holds the process open; while only kept transactions are watched it does not.
  const sleep = options.sleep ?? ((ms: number, idle: boolean) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms) as unknown as { unref?: () => void };
    if (idle) timer.unref?.();
  }));
  const tracked = new Map<Hex, Tracked>();
  let running = false;
  /** Reset by each new broadcast to the first look: a node that mines at once (Anvil) has the block within milliseconds. */
  let wait = 1;
  /** The pause before the first look after the latest broadcast. */
  let first = 1;
  /**
   * How long after a broadcast the block with it has been seen (a moving average; undefined before the first):
   * the first look after a broadcast waits about that long, so a node that mines in a few milliseconds is asked
   * once or twice per block rather than at 1, 2, 4… ms, and the grace is stretched to three times it (see above).
   */
  let minedDelay: number | undefined;
  /** Ends the idle pause (only kept transactions watched) early: a new broadcast has a sender waiting. */
  let wake: (() => void) | undefined;
  /**
   * Under the estimate, so it keeps being tested from below and follows a node that got faster; a look that
   * comes too early is followed by looks 1, 2, 4… ms later, so the estimate follows a slower node too.
   */
  const firstLookMs = () => (minedDelay === undefined ? 1 : Math.min(MAX_FIRST_LOOK_MS, Math.max(1, minedDelay * 0.8)));
  /** See SLOW_MINED_SHARE; a chain counts as fast until lookups find otherwise. */
  let minedShare = 1;
  const sample = (mined: number) => (minedShare += MINED_SHARE_WEIGHT * (mined - minedShare));
  /** When the loop last read the latest block. */
  let polledAt = -Infinity;
  /** The node could not be reached at the last try. */
  let unreachable = false;
  let lastSeen: number | undefined;
  /** The hashes of the recent blocks read, by number, to tell when the chain changed under the proxy. */
  const blockHashes = new Map<number, string>();
  /** What was seen mined in those blocks, answered and no longer watched, by hash: watched again if they leave the chain. */
  const minedRecently = new Map<Hex, { t: Tracked; block: number }>();
  let latest: { block: LatestBlock; number: number; at: number } | undefined;
  let reading: Promise<Block> | undefined;

  const see = (block: Block): number | undefined => {
    if (!block || typeof block.number !== "string") return undefined;
    const number = Number(block.number);
    if (!latest || number >= latest.number || lastSeen === undefined || number < lastSeen) {
      latest = { block: block.baseFeePerGas === undefined ? {} : { baseFeePerGas: block.baseFeePerGas }, number, at: now() };
    } else latest.at = now();
    return number;
  };

  const readLatest = (): Promise<Block> => {
    reading ??= upstream.request<Block>("eth_getBlockByNumber", ["latest", false]).finally(() => (reading = undefined));
    return reading;
  };

  /** Settles what `block` shows; returns how many of them a sender waited for. */
  const minedIn = (block: Block): number => {
    let settled = 0;
    const number = Number(block?.number);
    if (typeof block?.hash === "string") blockHashes.set(number, block.hash);
    for (const hash of Array.isArray(block?.transactions) ? block.transactions : []) {
      const found = typeof hash === "string" ? tracked.get(hash.toLowerCase() as Hex) : undefined;
      if (!found) continue;
      if (found.waiter) {
        settled++;
        const delay = now() - found.sent;
        minedDelay = minedDelay === undefined ? delay : minedDelay + MINED_DELAY_WEIGHT * (delay - minedDelay);
      }
      tracked.delete(found.hash);
      found.waiter?.settle(false);
      delete found.waiter;
      minedRecently.set(found.hash, { t: found, block: number });
    }
    return settled;
  };

  const poll = async () => {
    polledAt = now();
    let head: Block;
    try {
      head = await readLatest();
    } catch {
      unreachable = true;
      return;
    }
    if (unreachable) {
      // The node answers again after it could not be reached: it may have restarted without what it held
      // (its pool), so everything watched is looked up now, not after the waits that grew while it was away.
      unreachable = false;
      lookUpEverything();
    }
    const number = see(head);
    if (number === undefined) return;
    if (lastSeen !== undefined && (number < lastSeen || (number === lastSeen && seenOtherwise(number, head?.hash)))) {
      // The chain went back (a node restarted from an older state, a reorg).
      chainChanged();
      lastSeen = number - 1;
    }
    const from = lastSeen === undefined ? number : Math.max(lastSeen + 1, number - MAX_CATCH_UP + 1);
    if (lastSeen !== undefined && number <= lastSeen) return;
    const missed = Array.from({ length: Math.max(0, number - from) }, (_, i) => from + i);
    const blocks = missed.length === 0 ? [] : await upstream.batch(missed.map((n) => ["eth_getBlockByNumber", [`0x${n.toString(16)}`, false]] as const));
    const read = [...blocks.flatMap((outcome) => (outcome.ok ? [outcome.result as Block] : [])), head];
    // The first block read does not follow the last one seen: the chain changed under the proxy.
    if (lastSeen !== undefined && Number(read[0]?.number) === lastSeen + 1 && seenOtherwise(lastSeen, read[0]?.parentHash)) chainChanged();
    let settled = 0;
    for (const block of read) settled += minedIn(block);
    if (settled > 0) sample(1);
    const fresh = number - (lastSeen ?? number - 1);
    lastSeen = number;
    for (const t of tracked.values()) t.blocks += fresh;
    for (const [n] of blockHashes) if (n <= number - MAX_CATCH_UP) blockHashes.delete(n);
    for (const [hash, { block }] of minedRecently) if (block <= number - MAX_CATCH_UP) minedRecently.delete(hash);
  };

  /** A block hash the node gives for `number` that is not the one the proxy saw there. */
  const seenOtherwise = (number: number, hash: unknown) => {
    const seen = blockHashes.get(number);
    return seen !== undefined && typeof hash === "string" && hash !== seen;
  };

  /**
   * The chain is not the one the proxy saw: what was seen mined in its recent blocks is watched again (it may be
   * gone with them: then the node does not know it, and the same bytes are broadcast again), and everything
   * watched is looked up.
   */
  const chainChanged = () => {
    for (const [hash, { t }] of minedRecently) tracked.set(hash, t);
    minedRecently.clear();
    blockHashes.clear();
    lookUpEverything();
  };

  /** Every transaction watched is due at the next look, the waits grown by earlier looks forgotten. */
  const lookUpEverything = () => {
    for (const t of tracked.values()) {
      t.blocks = rebroadcastBlocks;
      t.looks = 0;
    }
  };

  const due = (t: Tracked, at: number) => {
    if (t.waiter) return at >= t.waiter.until;
    const factor = 2 ** Math.min(t.looks, 6);
    return t.blocks >= rebroadcastBlocks * factor || at - t.since >= rebroadcastMs * factor;
  };

  const lookUp = async (all: Tracked[]) => {
    // A sender waits for these: an account's one or two are looked up by hash, and only for those the node does
    // not know are the account's counts asked; more go by the account's two counts (see `BY_COUNTS_FROM`), as
    // kept ones (answered already) do. Only those whose nonce is mined (by them, or by a rival) are then looked
    // up by hash.
    const waiting = all.filter((t) => t.waiter);
    const perAccount = new Map<Hex, number>();
    for (const t of waiting) perAccount.set(t.from, (perAccount.get(t.from) ?? 0) + 1);
    const byHash = waiting.filter((t) => perAccount.get(t.from)! < BY_COUNTS_FROM);
    const byCounts = [...waiting.filter((t) => perAccount.get(t.from)! >= BY_COUNTS_FROM), ...all.filter((t) => !t.waiter)];
    /** What waiting senders' transactions were when their grace ended (see SLOW_MINED_SHARE). */
    const seen = { mined: 0, pending: 0 };
    const hashOutcomes = byHash.length === 0 ? [] : await upstream.batch(byHash.map((t): UpstreamCall => ["eth_getTransactionByHash", [t.hash]]));
    const unknown: Tracked[] = [];
    byHash.forEach((t, i) => {
      const outcome = hashOutcomes[i]!;
      if (!tracked.has(t.hash)) return; // seen mined meanwhile
      if (!outcome.ok) return settleKept(t); // cannot tell: the node accepted it
      const tx = outcome.result as { blockNumber?: Hex | null } | null;
      if (!tx || typeof tx !== "object") return void unknown.push(t);
      if (tx.blockNumber) {
        seen.mined++;
        return done(t);
      }
      seen.pending++;
      return settleKept(t);
    });
    const accounts = [...new Set([...unknown, ...byCounts].map((t) => t.from))];
    const outcomes = accounts.length === 0 ? [] : await upstream.batch(accounts.flatMap((from): UpstreamCall[] => [["eth_getTransactionCount", [from, "latest"]], ["eth_getTransactionCount", [from, "pending"]]]));
    const counts = new Map(accounts.map((from, i) => [from, { mined: count(outcomes[2 * i]!), pending: count(outcomes[2 * i + 1]!) }]));
    const replacedCandidates: Tracked[] = [];
    const lost: Tracked[] = [];
    for (const t of unknown) {
      if (!tracked.has(t.hash)) continue;
      const mined = counts.get(t.from)!.mined;
      if (mined !== undefined && mined > t.nonce) replacedCandidates.push(t);
      else if (mined !== undefined) lost.push(t);
      else settleKept(t);
    }
    for (const t of byCounts) {
      if (!tracked.has(t.hash)) continue;
      const { mined, pending } = counts.get(t.from)!;
      if (mined === undefined || pending === undefined) settleKept(t); // cannot tell
      else if (mined > t.nonce) {
        // Mined: by it (a block the loop skipped) or a rival.
        if (t.waiter) seen.mined++;
        replacedCandidates.push(t);
      } else if (pending > t.nonce) {
        // The node holds a transaction at its nonce.
        if (t.waiter) seen.pending++;
        settleKept(t);
      } else lost.push(t); // the node holds nothing at its nonce: broadcast again ("already known" if it is there)
    }
    if (seen.mined + seen.pending > 0) sample(seen.mined / (seen.mined + seen.pending));
    // A node may count a nonce as mined a moment before it serves the transaction: look once more.
    if (replacedCandidates.length > 0) {
      const again = await upstream.batch(replacedCandidates.map((t) => ["eth_getTransactionByHash", [t.hash]] as const));
      replacedCandidates.forEach((t, i) => (found(again[i]!) ? done(t) : replaced(t)));
    }
    if (lost.length > 0) await rebroadcast(lost.sort((a, b) => a.nonce - b.nonce));
    for (const from of accounts) {
      const pending = counts.get(from)!.pending;
      const lowest = unmined(from)[0];
      if (pending !== undefined && lowest !== undefined && pending < lowest) options.onBehind?.(from, pending, lowest);
    }
  };

  const rebroadcast = async (lost: Tracked[]) => {
    const outcomes = await upstream.batch(lost.map((t) => ["eth_sendRawTransaction", [t.raw]] as const));
    lost.forEach((t, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok || (outcome.error instanceof UpstreamRpcError && ALREADY_KNOWN.test(outcome.error.error.message))) {
        if (outcome.ok) options.onRebroadcast?.();
        t.since = now();
        t.blocks = 0;
        t.looks = 0;
        t.waiter?.settle(false);
        delete t.waiter;
        return;
      }
      if (outcome.error instanceof UpstreamRpcError && NONCE_MINED.test(outcome.error.error.message)) return replaced(t);
      settleKept(t); // refused for now (the node is not ready, the balance moved): tried again later
    });
  };

  const done = (t: Tracked) => {
    tracked.delete(t.hash);
    t.waiter?.settle(false);
  };
  const replaced = (t: Tracked) => {
    tracked.delete(t.hash);
    if (t.waiter) t.waiter.settle(true);
    else options.onLost?.(t.from, t.hash);
  };
  const settleKept = (t: Tracked) => {
    t.waiter?.settle(false);
    delete t.waiter;
    t.since = now();
    t.blocks = 0;
    t.looks++;
  };

  const run = async () => {
    if (running) return;
    running = true;
    try {
      while (tracked.size > 0) {
        // A pause first: a broadcast is not in a block the moment the node acknowledges it.
        const waiting = [...tracked.values()].filter((t) => t.waiter);
        const fast = waiting.length > 0 && minedShare >= SLOW_MINED_SHARE;
        if (fast) {
          const pause = wait;
          wait = pause === first ? 1 : Math.min(MAX_WAITING_POLL_MS, wait * 2);
          await sleep(pause, false);
        } else {
          // Only kept transactions watched, or senders waiting on a slow chain: blocks are read every
          // IDLE_POLL_MS, and each waiting sender's transactions looked up when its grace ends.
          const at = now();
          const pause = Math.max(0, Math.min(polledAt + IDLE_POLL_MS - at, ...waiting.map((t) => t.waiter!.until - at)));
          const woken = new Promise<"woken">((resolve) => (wake = () => resolve("woken")));
          const woke = await Promise.race([sleep(pause, waiting.length === 0), woken]);
          wake = undefined;
          if (woke === "woken") continue; // a sender waits now: its first look comes after its own pause
        }
        if (fast || now() - polledAt >= IDLE_POLL_MS) await poll();
        const at = now();
        const list = [...tracked.values()].filter((t) => due(t, at));
        if (list.length > 0) {
          await lookUp(list).catch(() => {
            unreachable = true;
            list.forEach((t) => tracked.has(t.hash) && settleKept(t));
          });
        }
      }
    } finally {
      running = false;
    }
  };

  const add = (from: Hex, sent: readonly Broadcast[], waiter?: (t: Broadcast) => Tracked["waiter"]) => {
    for (const s of sent) {
      const hash = s.hash.toLowerCase() as Hex;
      const at = now();
      const t: Tracked = { from, hash, nonce: s.nonce, raw: s.raw, since: at, sent: at, blocks: 0, looks: 0 };
      const waiting = waiter?.(s);
      if (waiting) t.waiter = waiting;
      tracked.set(hash, t);
    }
    // Blocks after the latest one seen before this broadcast (the sender's fees came from it) are read back.
    if (lastSeen === undefined && latest) lastSeen = latest.number;
    if (waiter) {
      // Without a block seen yet, the first look is at once (it marks where reading back starts).
      wait = first = lastSeen === undefined ? 0 : firstLookMs();
      wake?.();
    }
    void run();
  };

  const unmined = (from: Hex) => {
    const key = from.toLowerCase();
    return [...tracked.values()].filter((t) => t.from.toLowerCase() === key).map((t) => t.nonce).sort((a, b) => a - b);
  };

  return {
    watch(from, sent, graceMs) {
      if (sent.length === 0) return Promise.resolve(new Set());
      return new Promise((resolve) => {
        const replacedHashes = new Set<Hex>();
        let open = sent.length;
        // Stretched on a chain whose blocks show a broadcast fast (see MAX_STRETCHED_GRACE_MS).
        const stretched = minedDelay !== undefined && 3 * minedDelay <= MAX_STRETCHED_GRACE_MS ? 3 * minedDelay : 0;
        const until = now() + Math.max(graceMs, stretched);
        add(from, sent, (s) => ({
          until,
          settle(isReplaced) {
            if (isReplaced) replacedHashes.add(s.hash);
            if (--open === 0) resolve(replacedHashes);
          },
        }));
      });
    },
    keep: (from, sent) => add(from, sent),
    async latestBlock(maxAgeMs) {
      if (latest && now() - latest.at <= maxAgeMs) return latest.block;
      see(await readLatest());
      return latest?.block ?? null;
    },
    unmined,
  };
}

function count(outcome: UpstreamOutcome): number | undefined {
  return outcome.ok && typeof outcome.result === "string" ? Number(outcome.result) : undefined;
}

/** The node returned an object, or could not be asked (then assume it is there). */
function found(outcome: UpstreamOutcome): boolean {
  return !outcome.ok || (outcome.result !== null && typeof outcome.result === "object");
}
