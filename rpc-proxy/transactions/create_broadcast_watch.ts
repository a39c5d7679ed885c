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
   * in a block, or still held by the node after `graceMs` (stretched to three times the time blocks have taken
   * to show a broadcast, while that is under a second and the chain is not slow) (or lost by it, then broadcast
   * again). Kept ones stay watched until mined (`keep`), and are broadcast again if the node loses them.
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
/** A block read lately: its transactions' hashes, and this watch's transactions seen mined in it. */
type Recent = { number: number; hash: string | undefined; hashes: Hex[]; ours: Tracked[] };

/** Blocks read back at most when catching up after a pause; older ones are left to the lookup by hash. */
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
/** Polling while only kept transactions are watched (or, on a slow chain, at all): at least this apart… */
const IDLE_POLL_MS = 500;
/** …and at most this, on a chain whose blocks come slower than senders wait (half its block time in between). */
const MAX_IDLE_POLL_MS = 6000;
/**
 * A chain is slow when fewer than this share of recent senders saw their transaction mined while they waited
 * (a moving average, same weight): its blocks come on their own clock (seconds), not when sent to.
 */
const SLOW_SEEN_SHARE = 0.5;

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
 * Every transaction stays watched until it is seen in a block. Those not seen by the end of their sender's
 * grace, or (once kept) after `rebroadcastBlocks` new blocks or `rebroadcastMs`, are looked at by their
 * accounts' mined and pending counts (two calls per account, however many are due; a waiting sender's that is
 * its account's only one due, by hash first), and by hash only where their nonce is mined and the blocks since
 * the last one read do not hold them:
 * - nonce mined, and the node has it in a block (one the loop skipped): done;
 * - nonce mined, unknown to the node: another sender's transaction took the nonce — replaced (the waiting
 *   sender sends it again with a new nonce; one already answered is reported with `onLost`);
 * - nonce not mined, the node holds a transaction at it: kept (the waiting sender is answered), looked at again
 *   later, each time after twice as long;
 * - the node holds nothing at its nonce: the node lost it (evicted, restarted without its pool): the same bytes
 *   are broadcast again (`onRebroadcast`), and if the node's pending count is then below every nonce still
 *   watched, `onBehind` tells the sender the nonces it must fill.
 *
 * A chain that mines when sent to (Anvil's automine) shows a broadcast in a block within milliseconds, so the
 * loop reads the head every few milliseconds while a sender waits. On a chain whose blocks come on their own
 * clock (when fewer than half of recent senders saw theirs mined while they waited) that would be a read per
 * poll for nothing: there the head is read at half the block time (0.5–6 s), a waiting sender gets its verdict
 * from the look at the end of its grace, and a kept transaction is due no sooner than `rebroadcastBlocks`
 * block times. Transactions seen mined in the last MAX_CATCH_UP blocks read are watched again when those blocks
 * leave the chain.
 *
 * When the node cannot be asked, nothing is concluded: a transaction counts as kept (the node accepted it).
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
  /** Share of recent waiting senders whose transaction was seen mined while they waited (see SLOW_SEEN_SHARE). */
  let seenShare = 1;
  const slow = () => seenShare < SLOW_SEEN_SHARE;
  /** When each new head was first seen, and the time between them (a moving average): the pace on a slow chain. */
  let headSeen: { number: number; at: number } | undefined;
  let blockInterval: number | undefined;
  let lastPoll = -Infinity;
  const idlePollMs = () => slow() && blockInterval !== undefined
    ? Math.min(MAX_IDLE_POLL_MS, Math.max(IDLE_POLL_MS, blockInterval / 2))
    : IDLE_POLL_MS;
  let lastSeen: number | undefined;
  let latest: { block: LatestBlock; number: number; at: number } | undefined;
  let reading: Promise<Block> | undefined;

  const see = (block: Block): number | undefined => {
    if (!block || typeof block.number !== "string") return undefined;
    const number = Number(block.number);
    if (!headSeen || number > headSeen.number) {
      if (headSeen) {
        const sample = (now() - headSeen.at) / (number - headSeen.number);
        blockInterval = blockInterval === undefined ? sample : blockInterval + MINED_DELAY_WEIGHT * (sample - blockInterval);
      }
      headSeen = { number, at: now() };
    }
    if (!latest || number >= latest.number || lastSeen === undefined || number < lastSeen) {
      latest = { block: block.baseFeePerGas === undefined ? {} : { baseFeePerGas: block.baseFeePerGas }, number, at: now() };
    } else latest.at = now();
    return number;
  };

  const readLatest = (): Promise<Block> => {
    reading ??= upstream.request<Block>("eth_getBlockByNumber", ["latest", false]).finally(() => (reading = undefined));
    return reading;
  };

  const minedIn = (block: Block) => {
    const hashes = (Array.isArray(block?.transactions) ? block.transactions : []).filter((h): h is string => typeof h === "string").map((h) => h.toLowerCase() as Hex);
    const recent = remember(Number(block?.number), block?.hash, hashes);
    for (const hash of hashes) {
      const found = tracked.get(hash);
      if (!found) continue;
      if (found.waiter) {
        const delay = now() - found.sent;
        minedDelay = minedDelay === undefined ? delay : minedDelay + MINED_DELAY_WEIGHT * (delay - minedDelay);
      }
      tracked.delete(found.hash);
      answered(found, true);
      recent?.ours.push(found);
    }
  };

  /**
   * The last MAX_CATCH_UP blocks read. A sender adds its transactions once the node has answered its broadcast,
   * and a block with them may have been read in between (Anvil's automine mines at once): they are found here.
   * And when those blocks leave the chain (a node restarted from an older state, a reorg), this watch's
   * transactions seen mined in them are watched again (`watchAgain`), so a hash a caller holds is not lost.
   */
  const recentBlocks: Recent[] = [];
  const recentHashes = new Map<Hex, Recent>();
  const remember = (number: number, hash: string | undefined, hashes: Hex[]): Recent | undefined => {
    if (!Number.isSafeInteger(number)) return undefined;
    while (recentBlocks.length > 0 && (recentBlocks.length >= MAX_CATCH_UP || recentBlocks.at(-1)!.number >= number)) {
      const gone = recentBlocks.at(-1)!.number >= number ? recentBlocks.pop()! : recentBlocks.shift()!;
      for (const h of gone.hashes) recentHashes.delete(h);
    }
    const recent: Recent = { number, hash, hashes, ours: minedAhead.get(number) ?? [] };
    minedAhead.delete(number);
    for (const n of minedAhead.keys()) if (n <= number - MAX_CATCH_UP) minedAhead.delete(n);
    recentBlocks.push(recent);
    for (const h of hashes) recentHashes.set(h, recent);
    return recent;
  };
  /** This watch's transactions a lookup found mined in a block not read yet, by its number, until it is read. */
  const minedAhead = new Map<number, Tracked[]>();
  /** Found mined by a lookup (in `blockNumber`): done, and remembered with its block like one seen in it. */
  const minedAt = (t: Tracked, blockNumber: Hex) => {
    done(t);
    const number = Number(blockNumber);
    const recent = recentBlocks.find((b) => b.number === number);
    if (recent) recent.ours.push(t);
    else if (lastSeen === undefined || number > lastSeen) minedAhead.set(number, [...(minedAhead.get(number) ?? []), t]);
  };
  /** The recent blocks are no longer all in the chain: what this watch saw mined in them is looked at again. */
  const watchAgain = () => {
    for (const recent of [...recentBlocks.splice(0), ...[...minedAhead.values()].map((ours) => ({ ours }))]) {
      for (const t of recent.ours) {
        if (tracked.has(t.hash)) continue;
        Object.assign(t, { since: now(), blocks: rebroadcastBlocks, looks: 0 });
        tracked.set(t.hash, t);
      }
    }
    recentHashes.clear();
    minedAhead.clear();
  };

  const poll = async () => {
    lastPoll = now();
    let head: Block;
    try {
      head = await readLatest();
    } catch {
      return;
    }
    const number = see(head);
    if (number === undefined) return;
    const hashAt = (n: number) => recentBlocks.find((b) => b.number === n)?.hash;
    const known = hashAt(number);
    if (lastSeen !== undefined && (number < lastSeen || (known !== undefined && head!.hash !== undefined && known !== head!.hash))) {
      // The chain went back or changed (a node restarted from an older state, a reorg): look everything up.
      chainChanged();
      lastSeen = number - 1;
    }
    const from = lastSeen === undefined ? number : Math.max(lastSeen + 1, number - MAX_CATCH_UP + 1);
    if (lastSeen !== undefined && number <= lastSeen) return;
    const missed = Array.from({ length: Math.max(0, number - from) }, (_, i) => from + i);
    const outcomes = missed.length === 0 ? [] : await upstream.batch(missed.map((n) => ["eth_getBlockByNumber", [`0x${n.toString(16)}`, false]] as const));
    const blocks = [...outcomes.filter((o) => o.ok).map((o) => o.result as Block), head];
    // The first new block must follow the last one read; if not, the blocks read before are not the chain's now.
    const parent = lastSeen === undefined ? undefined : hashAt(lastSeen);
    const first = blocks[0];
    if (parent !== undefined && first?.parentHash !== undefined && Number(first.number) === lastSeen! + 1 && first.parentHash !== parent) chainChanged();
    for (const block of blocks) minedIn(block);
    const fresh = number - (lastSeen ?? number - 1);
    lastSeen = number;
    for (const t of tracked.values()) t.blocks += fresh;
  };

  const chainChanged = () => {
    for (const t of tracked.values()) t.blocks = rebroadcastBlocks;
    watchAgain();
  };

  const due = (t: Tracked, at: number) => {
    if (t.waiter) return at >= t.waiter.until;
    const factor = 2 ** Math.min(t.looks, 6);
    // On a slow chain, not before its blocks could have mined it (they are read anyway).
    const ms = slow() && blockInterval !== undefined ? Math.max(rebroadcastMs, rebroadcastBlocks * blockInterval) : rebroadcastMs;
    return t.blocks >= rebroadcastBlocks * factor || at - t.since >= ms * factor;
  };

  const lookUp = async (all: Tracked[]) => {
    // By the accounts' mined and pending counts first (two calls per account, however many of its transactions
    // are due): is its nonce taken, and does the node hold a transaction at it? By hash only those whose nonce is
    // mined, and asked after the counts, so a node that counts a nonce as mined a moment before it serves the
    // transaction is asked late enough. A waiting sender needs the pending count too: a broadcast the node lost
    // right after acknowledging it (evicted, swallowed on the way) is sent again before its caller is answered;
    // left to the later looks at kept transactions, a fault run lost 1,218 acknowledged sends.
    // An account whose only transaction due is a waiting sender's (one caller): by hash first, one call instead of
    // two counts; the counts follow only where the node does not know it.
    const dueOf = new Map<Hex, number>();
    for (const t of all) dueOf.set(t.from, (dueOf.get(t.from) ?? 0) + 1);
    const alone = all.filter((t) => t.waiter && dueOf.get(t.from) === 1);
    if (alone.length > 0) {
      const found = await upstream.batch(alone.map((t) => ["eth_getTransactionByHash", [t.hash]] as const));
      alone.forEach((t, i) => {
        const outcome = found[i]!;
        const result = outcome.ok ? outcome.result as { blockNumber?: Hex | null } | null : undefined;
        if (!tracked.has(t.hash) || result === null) return; // seen mined meanwhile; or unknown: to the counts
        if (result && typeof result === "object" && result.blockNumber) minedAt(t, result.blockNumber);
        else settleKept(t); // held by the node, or it cannot be asked
      });
    }
    const rest = all.filter((t) => tracked.has(t.hash) && (t.waiter || !alone.includes(t)));
    if (rest.length === 0) return;
    const accounts = [...new Set(rest.map((t) => t.from))];
    const outcomes = await upstream.batch(accounts.flatMap((from): UpstreamCall[] => [
      ["eth_getTransactionCount", [from, "latest"]],
      ["eth_getTransactionCount", [from, "pending"]],
    ]));
    const counts = new Map(accounts.map((from, i) => [from, { mined: count(outcomes[2 * i]!), pending: count(outcomes[2 * i + 1]!) }]));
    let minedNonce: Tracked[] = [];
    const lost: Tracked[] = [];
    for (const t of rest) {
      if (!tracked.has(t.hash)) continue; // seen mined meanwhile
      const { mined, pending } = counts.get(t.from)!;
      if (mined === undefined || pending === undefined) settleKept(t); // cannot tell: the node accepted it
      else if (mined > t.nonce) minedNonce.push(t);
      else if (pending > t.nonce) settleKept(t); // the node holds a transaction at its nonce
      else lost.push(t); // the node holds nothing at its nonce: broadcast again ("already known" if it is there)
    }
    if (minedNonce.length > 0) {
      // Mostly mined in blocks newer than the last one read: those are read first (they would be anyway).
      await poll();
      minedNonce = minedNonce.filter((t) => tracked.has(t.hash));
    }
    if (minedNonce.length > 0) {
      const found = await upstream.batch(minedNonce.map((t) => ["eth_getTransactionByHash", [t.hash]] as const));
      minedNonce.forEach((t, i) => {
        if (!tracked.has(t.hash)) return;
        const outcome = found[i]!;
        const result = outcome.ok ? outcome.result as { blockNumber?: Hex | null } | null : undefined;
        if (!outcome.ok || (result && typeof result === "object" && !result.blockNumber)) settleKept(t); // cannot tell yet
        else if (result && typeof result === "object") minedAt(t, result.blockNumber!);
        else replaced(t); // unknown to the node, its nonce mined: another transaction took it
      });
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
        answered(t, false);
        return;
      }
      if (outcome.error instanceof UpstreamRpcError && NONCE_MINED.test(outcome.error.error.message)) return replaced(t);
      settleKept(t); // refused for now (the node is not ready, the balance moved): tried again later
    });
  };

  /** A waiting sender's verdict came: whether its transaction was seen mined while it waited. */
  const answered = (t: Tracked, mined: boolean) => {
    if (!t.waiter) return;
    seenShare += MINED_DELAY_WEIGHT * ((mined ? 1 : 0) - seenShare);
    t.waiter.settle(false);
    delete t.waiter;
  };
  const done = (t: Tracked) => {
    tracked.delete(t.hash);
    answered(t, true);
  };
  const replaced = (t: Tracked) => {
    tracked.delete(t.hash);
    if (t.waiter) t.waiter.settle(true);
    else options.onLost?.(t.from, t.hash);
  };
  const settleKept = (t: Tracked) => {
    answered(t, false);
    t.since = now();
    t.blocks = 0;
    t.looks++;
  };

  const run = async () => {
    if (running) return;
    running = true;
    try {
      while (tracked.size > 0) {
        const waiters = [...tracked.values()].filter((t) => t.waiter);
        if (waiters.length > 0 && !slow()) {
          // A pause first: a broadcast is not in a block the moment the node acknowledges it.
          const pause = wait;
          wait = pause === first ? 1 : Math.min(MAX_WAITING_POLL_MS, wait * 2);
          await sleep(pause, false);
          await poll();
        } else {
          // Only kept transactions, or a slow chain: the next block read at the idle pace, and a waiting sender's
          // verdict at the end of its grace from its account's counts (a block within it is unlikely).
          const at = now();
          const nextPoll = lastPoll + idlePollMs();
          const nextVerdict = Math.min(...waiters.map((t) => t.waiter!.until));
          const woken = new Promise<"woken">((resolve) => (wake = () => resolve("woken")));
          const woke = await Promise.race([sleep(Math.max(0, Math.min(nextPoll, nextVerdict) - at), waiters.length === 0), woken]);
          wake = undefined;
          if (woke === "woken") continue; // a sender waits now: its first look comes after its own pause
          if (now() >= lastPoll + idlePollMs()) await poll();
        }
        const at = now();
        const list = [...tracked.values()].filter((t) => due(t, at));
        if (list.length > 0) await lookUp(list).catch(() => list.forEach((t) => tracked.has(t.hash) && settleKept(t)));
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
      const recent = recentHashes.get(hash);
      if (recent) {
        answered(t, true); // in a block read while the node's answer was on its way
        recent.ours.push(t);
      } else tracked.set(hash, t);
    }
    // Blocks after the latest one seen before this broadcast (the sender's fees came from it) are read back.
    if (lastSeen === undefined && latest) lastSeen = latest.number;
    if (waiter) {
      // Without a block seen yet, the first look is at once (it marks where reading back starts).
      wait = first = lastSeen === undefined ? 0 : firstLookMs();
      wake?.(); // ends an idle pause (on a slow chain, to time the new sender's verdict)
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
        const stretched = !slow() && minedDelay !== undefined && 3 * minedDelay <= MAX_STRETCHED_GRACE_MS ? 3 * minedDelay : 0;
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
