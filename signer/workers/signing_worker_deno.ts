/// <reference lib="deno.ns" />
/**
 * Entry point of a signing Web Worker under Deno (started by `spawnSigningWorkerDeno`): opens its own curve (the
 * one the main thread chose and self-tested, named in the worker's `name`; a native context per worker,
 * randomized), holds its copies of the keys and answers sign batches; see `createSigningWorkerHandler`. If its
 * curve cannot be opened the worker fails at once, and the pool takes it out of rotation.
 */
import { openCurveDeno } from "../signing/open_curve_deno.ts";
import { createSigningWorkerHandler } from "./create_signing_worker_handler.ts";
import { parseSigningWorkerName } from "./signing_worker_name.ts";
import type { SigningWorkerInbound } from "./signing_pool.ts";

const scope = globalThis as unknown as {
  name: string;
  onmessage: ((event: MessageEvent<SigningWorkerInbound>) => void) | null;
  postMessage(message: unknown): void;
};
const { curve, library } = parseSigningWorkerName(scope.name);
const handler = createSigningWorkerHandler({ curve: openCurveDeno(curve, library === undefined ? {} : { library }).curve });
scope.onmessage = (event) => {
  let replies;
  try {
    replies = handler.handle(event.data);
  } catch {
    return; // a malformed key message from our own thread: nothing to answer, and no detail to leak
  }
  if (replies) scope.postMessage(replies);
};
