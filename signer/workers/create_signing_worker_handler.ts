import { BaseError } from "../protocol/base_error.ts";
import { UnknownAccountError } from "../signing/signing_errors.ts";
import type { SignOptions } from "../signing/curve.ts";
import { signRequest } from "./sign_request.ts";
import type { SigningFailure, SigningReply, SigningWorkerInbound } from "./signing_pool.ts";

export type SigningWorkerHandler = {
  /** Handles one message; a `sign` batch returns its replies (to post back), the others return nothing. */
  handle(message: SigningWorkerInbound): SigningReply[] | undefined;
};

/**
 * The body of a signing worker, without the runtime's messaging (so it runs the same in a Deno Web Worker, a
 * Node worker thread and a test): holds this worker's copies of the keys, signs batches with `signRequest`,
 * and turns each failure into plain data. `options.curve` is the worker's curve (each worker opens its own). A BaseError keeps its code, message and data; any other error
 * crosses as its name only (never a message or stack, which could quote secret input).
 *
 * @example
 * ```ts
 * const handler = createSigningWorkerHandler({ curve });
 * self.onmessage = (event) => {
 *   const replies = handler.handle(event.data);
 *   if (replies) self.postMessage(replies);
 * };
 * ```
 */
export function createSigningWorkerHandler(options: SignOptions = {}): SigningWorkerHandler {
  const keys = new Map<string, Uint8Array>();
  const remove = (address: string) => {
    const key = keys.get(address);
    if (!key) return;
    key.fill(0);
    keys.delete(address);
  };
  return {
    handle(message) {
      switch (message.type) {
        case "add":
          if (!(message.key instanceof Uint8Array) || message.key.length !== 32) throw new RangeError("Cannot add key: expected 32 bytes");
          remove(message.address);
          keys.set(message.address, message.key);
          return undefined;
        case "remove":
          remove(message.address);
          return undefined;
        case "clear":
          for (const address of [...keys.keys()]) remove(address);
          return undefined;
        case "sign":
          return message.jobs.map(({ id, address, request }): SigningReply => {
            try {
              const key = keys.get(address);
              if (!key) throw new UnknownAccountError(address);
              return { id, result: signRequest(key, request, options) };
            } catch (error) {
              return { id, failure: toFailure(error) };
            }
          });
        default:
          throw new TypeError(`Unknown signing worker message ${JSON.stringify((message as { type?: unknown }).type)}`);
      }
    },
  };
}

function toFailure(error: unknown): SigningFailure {
  if (error instanceof BaseError) {
    return error.data === undefined
      ? { kind: "base", name: error.name, code: error.code, message: error.shortMessage }
      : { kind: "base", name: error.name, code: error.code, message: error.shortMessage, data: error.data };
  }
  return { kind: "internal", name: error instanceof Error ? error.name : "Error" };
}
