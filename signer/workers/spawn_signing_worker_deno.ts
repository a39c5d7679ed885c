/// <reference lib="deno.ns" />
import type { SigningReply, SigningWorkerPort } from "./signing_pool.ts";
import { signingWorkerName, type SigningWorkerConfig } from "./signing_worker_name.ts";

/**
 * Starts one signing Web Worker (`signing_worker_deno.ts`) with the signer's permissions, signing with the curve
 * of `config` (the worker opens its own). An error inside the worker is reported through `listen` and does not
 * take the process down.
 *
 * @example
 * ```ts
 * const pool = createWorkerSigningPool(() => spawnSigningWorkerDeno({ curve: "native" }), { workers: navigator.hardwareConcurrency });
 * ```
 */
export function spawnSigningWorkerDeno(config: SigningWorkerConfig = { curve: "wasm" }): SigningWorkerPort {
  const worker = new Worker(new URL("./signing_worker_deno.ts", import.meta.url), { type: "module", name: signingWorkerName(config) });
  return {
    postMessage: (message) => worker.postMessage(message),
    listen(onReplies, onError) {
      worker.onmessage = (event: MessageEvent<SigningReply[]>) => onReplies(event.data);
      worker.onmessageerror = () => onError(new TypeError("Cannot read a signing worker's reply"));
      worker.onerror = (event: ErrorEvent) => {
        event.preventDefault();
        onError(event.error ?? new Error(event.message));
      };
    },
    terminate: () => worker.terminate(),
  };
}
