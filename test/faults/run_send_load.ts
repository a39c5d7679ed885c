import { createWalletClient, http, type Hex } from "viem";

/** How one request ended, as the client saw it. */
export type SendOutcome = {
  id: number;
  startedAt: number;
  ms: number;
  /**
   * success: a transaction hash; rpc-error: a JSON-RPC error object (any HTTP status); bad-answer: no JSON-RPC body
   * (a reset socket, an HTTP error without one); unanswered: nothing within the client's 30 s.
   */
  kind: "success" | "rpc-error" | "bad-answer" | "unanswered";
  hash?: Hex;
  code?: number;
  message?: string;
};

export type SendLoad = {
  /** Stops the workers after their current request; resolves with every outcome. */
  stop(): Promise<SendOutcome[]>;
  readonly outcomes: readonly SendOutcome[];
};

/** The client's own bound: a request with no answer after this long is "unanswered". */
export const UNANSWERED_AFTER_MS = 30_000;

/**
 * Concurrent `eth_sendTransaction` from viem wallet clients (the signer's account as a JSON-RPC account, so the
 * proxy fills, signs and broadcasts), `concurrency` requests in flight until `stop()`. Each request sends a
 * distinct value in wei (its id, from `ids`), so a transaction mined twice is seen as a duplicate value.
 *
 * @example
 * ```ts
 * const load = startSendLoad({ url, from, concurrency: 8, ids });
 * // … inject a fault …
 * const outcomes = await load.stop();
 * ```
 */
export function startSendLoad(options: { url: string; from: Hex; concurrency: number; ids: () => number; pauseMs?: number; clients?: number }): SendLoad {
  const to: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
  const clients = Array.from({ length: options.clients ?? Math.min(4, options.concurrency) }, () =>
    createWalletClient({ transport: http(options.url, { timeout: UNANSWERED_AFTER_MS, retryCount: 0 }) })
  );
  const outcomes: SendOutcome[] = [];
  let running = true;
  const worker = async (w: number) => {
    const client = clients[w % clients.length]!;
    while (running) {
      const id = options.ids();
      const startedAt = Date.now();
      try {
        const hash = await client.sendTransaction({ account: options.from, to, value: BigInt(id), chain: null });
        outcomes.push({ id, startedAt, ms: Date.now() - startedAt, kind: "success", hash });
      } catch (error) {
        outcomes.push({ id, startedAt, ms: Date.now() - startedAt, ...classify(error) });
        if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  return {
    outcomes,
    async stop() {
      running = false;
      await done;
      return outcomes;
    },
  };
}

/** Sorts a viem error into rpc-error (with the JSON-RPC code and message), unanswered or bad-answer. */
export function classify(error: unknown): Pick<SendOutcome, "kind" | "code" | "message"> {
  const chain: any[] = [];
  for (let e: any = error; e && chain.length < 10; e = e.cause) chain.push(e);
  if (chain.some((e) => e?.name === "TimeoutError")) return { kind: "unanswered", message: "no answer within 30 s" };
  const rpc = chain.find((e) => e?.name === "RpcRequestError");
  if (rpc) return { kind: "rpc-error", code: rpc.code, message: String(rpc.details ?? rpc.shortMessage).split("\n")[0]! };
  const httpError = chain.find((e) => e?.name === "HttpRequestError");
  if (httpError) {
    // A non-2xx reply: viem puts the body's JSON-RPC error (if any) in details.
    try {
      const body = JSON.parse(httpError.details);
      if (typeof body?.code === "number") return { kind: "rpc-error", code: body.code, message: String(body.message) };
    } catch { /* not JSON */ }
    return { kind: "bad-answer", message: `HTTP ${httpError.status ?? "-"} ${String(httpError.details ?? "").slice(0, 80)}` };
  }
  const coded = chain.find((e) => typeof e?.code === "number");
  if (coded) return { kind: "rpc-error", code: coded.code, message: String(coded.shortMessage ?? coded.message).split("\n")[0]! };
  return { kind: "bad-answer", message: String((error as Error)?.message ?? error).split("\n")[0]!.slice(0, 120) };
}
