/// <reference lib="deno.ns" />
/**
 * Entry point of a signing Web Worker under Deno (started by `spawnSigningWorkerDeno`): holds its copies of
 * the keys and answers sign batches; see `createSigningWorkerHandler`.
 */
import { createSigningWorkerHandler } from "./create_signing_worker_handler.ts";
import type { SigningWorkerInbound } from "./signing_pool.ts";

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<SigningWorkerInbound>) => void) | null;
  postMessage(message: unknown): void;
};
const handler = createSigningWorkerHandler();
scope.onmessage = (event) => {
  let replies;
  try {
    replies = handler.handle(event.data);
  } catch {
    return; // a malformed key message from our own thread: nothing to answer, and no detail to leak
  }
  if (replies) scope.postMessage(replies);
};
