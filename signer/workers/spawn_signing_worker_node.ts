import { Worker } from "node:worker_threads";
import type { SigningWorkerPort } from "./signing_pool.ts";

const ENTRY = new URL(`./signing_worker_node.${import.meta.url.endsWith(".ts") ? "ts" : "js"}`, import.meta.url);

/**
 * Starts one signing worker thread under Node (`signing_worker_node.ts`). When the sources run as TypeScript
 * through tsx (tests), the thread registers tsx first: Node does not pass a parent's loader to its workers.
 *
 * @example
 * ```ts
 * const pool = createWorkerSigningPool(spawnSigningWorkerNode, { workers: 2 });
 * ```
 */
export function spawnSigningWorkerNode(): SigningWorkerPort {
  const worker = ENTRY.pathname.endsWith(".ts")
    ? new Worker(
      `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))}).then(({ register }) => { register(); return import(${JSON.stringify(ENTRY.href)}); });`,
      { eval: true },
    )
    : new Worker(ENTRY);
  return {
    postMessage: (message) => worker.postMessage(message),
    listen(onReplies, onError) {
      worker.on("message", onReplies);
      worker.on("messageerror", onError);
      worker.on("error", onError);
      worker.on("exit", (code) => onError(new Error(`Signing worker exited with code ${code}`)));
    },
    terminate: () => void worker.terminate(),
  };
}
