/**
 * The boundary between the signer's methods and the threads that hold keys and sign (issue 7: use every
 * core). One small type with two implementations: `createInlineSigningPool` (signs in the calling thread) and
 * `createWorkerSigningPool` (Web Workers under Deno, worker_threads under Node, through `SigningWorkerPort`).
 */
import type { Hex } from "../protocol/messages.ts";
import type { SigningRequest, SigningResult } from "./sign_request.ts";

export type SigningPool = {
  /** Signing threads; 0 when signing runs in the calling thread. */
  readonly workers: number;
  /**
   * Gives the pool a key for `address` (checksummed, derived by the caller). The pool takes ownership of the
   * bytes: it keeps them, or copies them to its workers and zeroes them.
   */
  addKey(address: Hex, privateKey: Uint8Array): void;
  /** Forgets the key of `address` in every thread, zeroing each copy. */
  removeKey(address: Hex): void;
  /** Signs with the key of `address` (which must have been added). Rejects with what the signing function threw. */
  sign<R extends SigningRequest>(address: Hex, request: R): Promise<SigningResult<R>>;
  /** Stops the workers and zeroes every key; signs in flight reject. */
  close(): void;
};

/** One signing request inside a batch sent to a worker. */
export type SigningJob = { id: number; address: string; request: SigningRequest };

/** Messages to a signing worker. Addresses are lower-case. */
export type SigningWorkerInbound =
  | { type: "add"; address: string; key: Uint8Array }
  | { type: "remove"; address: string }
  | { type: "clear" }
  | { type: "sign"; jobs: SigningJob[] };

/** A failure that crosses the thread boundary: a BaseError's stable code, message and data, or just a name. */
export type SigningFailure =
  | { kind: "base"; name: string; code: string; message: string; data?: unknown }
  | { kind: "internal"; name: string };

/** A worker answers each `sign` batch with one message: a reply per job, in any order. */
export type SigningReply = { id: number; result: unknown } | { id: number; failure: SigningFailure };

/** A running signing worker, seen from the dispatching thread (one adapter per runtime). */
export type SigningWorkerPort = {
  postMessage(message: SigningWorkerInbound): void;
  /** Sets the one listener for reply batches and the one for the worker's failure (it is then unusable). */
  listen(onReplies: (replies: SigningReply[]) => void, onError: (error: unknown) => void): void;
  terminate(): void;
};
