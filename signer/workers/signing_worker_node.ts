/**
 * Entry point of a signing worker thread under Node (started by `spawnSigningWorkerNode`, for tests and
 * tooling; production runs the Deno worker): the same handler as the Deno worker.
 */
import { parentPort } from "node:worker_threads";
import { createSigningWorkerHandler } from "./create_signing_worker_handler.ts";
import type { SigningWorkerInbound } from "./signing_pool.ts";

const port = parentPort;
if (!port) throw new TypeError("signing_worker_node.ts must run as a worker thread");
const handler = createSigningWorkerHandler();
port.on("message", (message: SigningWorkerInbound) => {
  let replies;
  try {
    replies = handler.handle(message);
  } catch {
    return; // a malformed key message from our own thread: nothing to answer, and no detail to leak
  }
  if (replies) port.postMessage(replies);
});
