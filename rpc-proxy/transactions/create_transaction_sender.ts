import type { Hex, TransactionParams } from "../../signer/mod.ts";
import { RpcCode, RpcError, UpstreamRpcError } from "../jsonrpc/rpc_error.ts";
import type { Upstream } from "../upstream/create_upstream.ts";
import { createNonceManager } from "./create_nonce_manager.ts";
import { applyFeeQuote, readFeeQuote, type FillFeesReturnType } from "./fill_fees.ts";
import { nonceAccountKey, type NonceManager } from "./nonce_manager.ts";
import { createBroadcastWatch } from "./create_broadcast_watch.ts";

export type TransactionSender = {
  /**
   * Signs and broadcasts `tx` (filled; fees it lacks are read here) and resolves with its hash once the node holds
   * it. Without a nonce it gets the account's next one and is sent again with a fresh one if that turns out used;
   * with one (the caller's), it is sent with exactly that nonce, once. `wrap` turns the signed transaction into
   * what eth_sendRawTransaction takes (blob sidecars).
   */
  send(from: Hex, tx: TransactionParams, wrap?: (raw: Hex) => Hex): Promise<Hex>;
  /**
   * The nonce past every one this instance has given `from` on `chainId`, those still on their way to the node
   * included; undefined before its first send. Reserves nothing.
   */
  nextNonce(from: Hex, chainId: Hex): number | undefined;
};

export type CreateTransactionSenderOptions = {
  /** The node; the sender's reads and broadcasts go as batches (see `coalesceUpstream`). */
  upstream: Upstream;
  /** Signs with the enclave; resolves with the raw signed transaction. */
  sign(from: Hex, tx: TransactionParams): Promise<Hex>;
  /** @default createNonceManager(): this instance's memory */
  nonces?: NonceManager;
  /**
   * Most sends signed and broadcast together. Anvil's automine, given much larger batches at once, sometimes
   * leaves some of them in its pool unmined until the next transaction arrives. @default 32
   */
  maxGroup?: number;
  onResync?: () => void;
  onReplaced?: () => void;
  onGapFilled?: () => void;
  /** A transaction the node lost after accepting it was broadcast again, the same bytes (see `createBroadcastWatch`). */
  onRebroadcast?: () => void;
  /** Watched transactions not seen mined after this many new blocks are looked up, and sent again if lost. @default 3 */
  rebroadcastBlocks?: number;
  /** …or after this long. @default 2000 */
  rebroadcastMs?: number;
  /** @default setTimeout (the back-off and the filler's delay; the watch keeps its own clock) */
  sleep?: (ms: number) => Promise<void>;
};

/** How many times a send is retried with a fresh nonce after its nonce turned out used by another sender. */
export const MAX_NONCE_RETRIES = 16;

/** What nodes (geth, reth, Anvil, Erigon, Nethermind) answer when a nonce is already used or taken in the pool. */
const NONCE_USED = /nonce too low|already known|known transaction|replacement transaction underpriced|nonce.*already|already imported|AlreadyKnown|OldNonce/i;

/** Bounds of the time a just-sent group is watched for replacement (see `createBroadcastWatch`). */
const MIN_GRACE_MS = 20;
const MAX_GRACE_MS = 1000;
/** How long an unused nonce waits for a send to take it before a no-op transaction fills it. */
const FILL_DELAY_MS = 50;
/**
 * The fees of a group come from the latest block the proxy has seen (the watch reads every new block while
 * anything it sent is unmined), read again when that is older than this; the tip (eth_maxPriorityFeePerGas, a
 * node's suggestion over many recent blocks) is read again when older than the same.
 */
const FEE_MAX_AGE_MS = 1000;

type Item = {
  readonly tx: TransactionParams;
  readonly wrap: (raw: Hex) => Hex;
  /** A 0-value transaction to self that fills an unused nonce; nobody waits for it. */
  readonly filler: boolean;
  /** The caller's nonce: sent once with it, never retried, never given back to the nonce manager. */
  readonly fixed: boolean;
  attempts: number;
  nonce?: number;
  raw?: Hex;
  resolve(hash: Hex): void;
  reject(error: unknown): void;
};

type Account = {
  readonly from: Hex;
  readonly chainId: Hex;
  queue: Item[];
  running: boolean;
  /** The last filler failed; wait for a real send before trying again. */
  fillBlocked: boolean;
  /** The type a filler takes: that of the last send the node refused (legacy on a chain without base fee). */
  fillerType: Hex;
  /**
   * The node's pending count as last read (once, then after a nonce error or a replacement): the floor passed to
   * the nonce manager, whose own bookkeeping is what hands out nonces in between.
   */
  pending?: number | undefined;
  /** The node's pending count when the watch found it below every nonce still unmined (see `onBehind`). */
  behind?: number | undefined;
};

/**
 * The broadcaster for every account of one proxy instance (DESIGN §7), with its nonce manager: a group commit. Sends
 * for an account queue while the one group before them is being sent; then the whole queue (up to `maxGroup`)
 * goes as one group: consecutive nonces, fees from the latest block seen, signing in parallel, one batch of
 * eth_sendRawTransaction in nonce order. Between groups nothing is held, so a busy account costs the node about
 * one call per send (its broadcast) plus a few shared reads (issue 14), and nonces stay consecutive.
 *
 * - The node's pending count is read for an account's first group, and again only after the node said a nonce
 *   was used or a transaction was replaced (another sender is about); in between the nonce manager's own
 *   bookkeeping hands out nonces, with the last count read as its floor.
 * - Every transaction sent is watched by block (`createBroadcastWatch`) until it is mined: the callers of a
 *   group are answered once theirs is seen in a block or still held by the node after a grace; one the node
 *   loses (evicted, a restart without its pool) is broadcast again, the same bytes, so a hash a caller holds is
 *   mined (`onRebroadcast`); and when the node's pending count falls below every nonce still unmined, the nonces
 *   between are filled (issue 16).
 * - A node answer that the nonce is used ("nonce too low", "already known", "replacement transaction
 *   underpriced") sends that transaction again in a later group with a fresh nonce, after a short randomized
 *   back-off; a transaction the node drops right after accepting it (replaced by another instance's,
 *   `createBroadcastWatch`) too. At most MAX_NONCE_RETRIES retries each; callers wait until their transaction is
 *   kept, so a client never holds a hash that will not be mined.
 * - A send that never reaches the node (refused by it, signing failed) fails alone, and its nonce goes to the
 *   next send, so no gap is left; if a later nonce already reached the node and no send comes within
 *   FILL_DELAY_MS, a 0-value transaction to self fills the nonce, or the later transactions could never be mined.
 *   Such holes are kept (by the nonce manager) until used or until the node's pending count passes them.
 * - A transaction with the caller's nonce goes in the group like the others but keeps its nonce: it is not
 *   retried, its caller is answered once the node holds it (it is still kept until mined), and a refusal fails
 *   it alone (the nonce was never this sender's to give back); the node's pending count is read again after it.
 *
 * @example
 * ```ts
 * const sender = createTransactionSender({ upstream, sign: signTransactionWith(signer) });
 * const hash = await sender.send(from, { chainId: "0x1", type: "0x2", to, value: "0x1", gas: "0x5208" });
 * ```
 */
export function createTransactionSender(options: CreateTransactionSenderOptions): TransactionSender {
  const { upstream } = options;
  const maxGroup = options.maxGroup ?? 32;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const nonces = options.nonces ?? createNonceManager();
  const accounts = new Map<string, Account>();
  const watch = createBroadcastWatch({
    upstream,
    ...(options.rebroadcastBlocks === undefined ? {} : { rebroadcastBlocks: options.rebroadcastBlocks }),
    ...(options.rebroadcastMs === undefined ? {} : { rebroadcastMs: options.rebroadcastMs }),
    onRebroadcast: () => options.onRebroadcast?.(),
    onBehind(from, pending) {
      const key = from.toLowerCase();
      for (const account of accounts.values()) {
        if (account.from.toLowerCase() !== key) continue;
        account.behind = pending;
        start(account);
      }
    },
  });
  let tip: { at: number; value: Promise<Hex> } | undefined;
  const maxPriorityFeePerGas = () => {
    if (!tip || performance.now() - tip.at > FEE_MAX_AGE_MS) {
      const value = upstream.request<Hex>("eth_maxPriorityFeePerGas");
      tip = { at: performance.now(), value };
      value.catch(() => (tip = undefined));
    }
    return tip.value;
  };

  /**
   * The node forgot nonces below every one still unmined: they are given back, to be used or filled. Not with a
   * shared nonce manager: there the nonces between are other instances' too (or a lagging node's view of them).
   */
  const catchUp = async (account: Account) => {
    const pending = account.behind!;
    account.behind = undefined;
    if (nonces.shared) return;
    const top = Math.min(nonces.next(account) ?? pending, watch.unmined(account.from)[0] ?? Infinity);
    if (top <= pending) return;
    account.pending = pending;
    account.fillBlocked = false;
    await nonces.release(account, Array.from({ length: top - pending }, (_, i) => pending + i));
  };

  const start = (account: Account) => {
    if (account.running) return;
    account.running = true;
    void drain(account).finally(() => {
      account.running = false;
      if (account.queue.length > 0) start(account);
    });
  };

  const drain = async (account: Account) => {
    for (;;) {
      if (account.behind !== undefined) await catchUp(account);
      if (account.queue.length === 0 && nonces.released(account) > 0 && !account.fillBlocked) {
        await sleep(FILL_DELAY_MS);
        if (account.queue.length === 0) account.queue.push(...Array.from({ length: nonces.released(account) }, () => filler(account)));
      }
      if (account.queue.length === 0) return;
      const group = account.queue.splice(0, maxGroup);
      try {
        await sendGroup(account, group);
      } catch (error) {
        // Only the reads before any nonce was given can end here (e.g. the node is down).
        for (const item of group) item.reject(error);
      }
      // A filler that did not go through waits for the next real send (which takes the nonce itself).
      if (group.some((item) => item.filler) && nonces.released(account) > 0) account.fillBlocked = true;
    }
  };

  const retry = (account: Account, item: Item, error: unknown) => {
    if (item.filler) return; // its nonce is used either way
    if (item.fixed) return item.reject(error); // the caller's nonce: the caller decides
    if (++item.attempts > MAX_NONCE_RETRIES) return item.reject(error);
    account.queue.unshift(item);
    start(account);
  };

  const sendGroup = async (account: Account, group: Item[]) => {
    const started = performance.now();
    const [pending, quote] = await Promise.all([
      account.pending ?? upstream.request<Hex>("eth_getTransactionCount", [account.from, "pending"]).then(Number),
      readFeeQuote(group.map((item) => item.tx), { upstream, latestBlock: () => watch.latestBlock(FEE_MAX_AGE_MS), maxPriorityFeePerGas }),
    ]);
    account.pending = pending;
    const live: Item[] = [];
    const fees = new Map<Item, FillFeesReturnType>();
    for (const item of group) {
      try {
        fees.set(item, applyFeeQuote(item.tx, quote));
        live.push(item);
      } catch (error) {
        item.reject(error);
      }
    }
    const taking = live.filter((item) => !item.fixed);
    const taken = await nonces.take(account, pending, taking.length);
    taking.forEach((item, i) => (item.nonce = taken[i]!));
    await Promise.all(live.map(async (item) => {
      try {
        const nonce: Hex = item.fixed ? item.tx.nonce! : `0x${item.nonce!.toString(16)}`;
        item.raw = item.wrap(await options.sign(account.from, { ...item.tx, ...fees.get(item), nonce }));
      } catch (error) {
        item.reject(error);
      }
    }));

    const sending = live.filter((item) => item.raw !== undefined).sort((a, b) => a.nonce! - b.nonce!);
    const unused = taking.filter((item) => item.raw === undefined).map((item) => item.nonce!);
    const outcomes = await upstream.batch(sending.map((item) => ["eth_sendRawTransaction", [item.raw]] as const));
    const accepted: { item: Item; hash: Hex }[] = [];
    let retried = 0;
    sending.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) return accepted.push({ item, hash: outcome.result as Hex });
      if (item.fixed) return item.reject(outcome.error);
      if (outcome.error instanceof UpstreamRpcError && NONCE_USED.test(outcome.error.error.message)) {
        // Another sender has this nonce: not a hole; the transaction goes again with a fresh one, after the
        // node's pending count is read again.
        options.onResync?.();
        account.pending = undefined;
        retried = Math.max(retried, item.attempts + 1);
        return retry(account, item, outcome.error);
      }
      unused.push(item.nonce!);
      account.fillerType = item.tx.type === "0x0" || item.tx.type === "0x1" ? "0x0" : "0x2";
      item.reject(outcome.error);
    });
    if (accepted.some(({ item }) => item.filler)) options.onGapFilled?.();
    await nonces.release(account, unused);

    // The caller's nonces are not this sender's to re-send: they are answered as soon as the node holds them
    // (and kept, the same bytes broadcast again if the node loses them).
    const fixed = accepted.filter(({ item }) => item.fixed);
    for (const { item, hash } of fixed) item.resolve(hash);
    // A caller's nonce may have moved the node's pending count past the sequence: read it again.
    if (fixed.length > 0) account.pending = undefined;
    watch.keep(account.from, fixed.map(({ item, hash }) => ({ hash, nonce: item.nonce!, raw: item.raw! })));
    const watched = accepted.filter(({ item }) => !item.fixed);
    const graceMs = Math.min(MAX_GRACE_MS, Math.max(MIN_GRACE_MS, 3 * (performance.now() - started)));
    if (watched.length > 0) {
      // Not awaited: the next group goes ahead while this one is watched.
      void watch.watch(account.from, watched.map(({ item, hash }) => ({ hash, nonce: item.nonce!, raw: item.raw! })), graceMs).then((replaced) => {
        for (const { item, hash } of watched) {
          if (!replaced.has(hash)) {
            item.resolve(hash);
            continue;
          }
          // Another sender's transaction took the nonce: it is used, and the next group reads the node's count.
          options.onReplaced?.();
          account.pending = undefined;
          retry(account, item, new RpcError(RpcCode.internal, "Transaction replaced: another sender kept taking its nonce"));
        }
      });
    }
    if (retried > 0) await backOff(retried - 1, sleep);
  };

  return {
    send(from, tx, wrap = (raw) => raw) {
      const chainId = tx.chainId ?? "0x";
      const key = nonceAccountKey({ from, chainId });
      let account = accounts.get(key);
      if (!account) {
        account = { from, chainId, queue: [], running: false, fillBlocked: false, fillerType: "0x2" };
        accounts.set(key, account);
      }
      const target = account;
      const fixed = tx.nonce !== undefined;
      return new Promise<Hex>((resolve, reject) => {
        target.queue.push({ tx, wrap, filler: false, fixed, attempts: 0, ...(fixed ? { nonce: Number(tx.nonce) } : {}), resolve, reject });
        target.fillBlocked = false;
        start(target);
      });
    },
    nextNonce(from, chainId) {
      return nonces.next({ from, chainId });
    },
  };
}

/** A 0-value transaction to self for an unused nonce (21000 gas, current fees). */
function filler(account: Account): Item {
  const tx: TransactionParams = { chainId: account.chainId, type: account.fillerType, to: account.from, value: "0x0", gas: "0x5208" };
  return { tx, wrap: (raw) => raw, filler: true, fixed: false, attempts: 0, resolve: () => {}, reject: () => {} };
}

/**
 * Full-jitter exponential back-off (2 ms … 500 ms): two instances racing for the same nonces stop colliding
 * in lockstep, and the one that lost lets the other drain its queue.
 */
function backOff(attempt: number, sleep: (ms: number) => Promise<void>): Promise<void> {
  const cap = Math.min(500, 2 * 2 ** attempt);
  return sleep(Math.random() * cap);
}
