import type { Hex } from "../protocol/messages.ts";
import { UnknownAccountError } from "../signing/signing_errors.ts";
import type { SignOptions } from "../signing/curve.ts";
import { signRequest } from "./sign_request.ts";
import type { SigningPool } from "./signing_pool.ts";

/**
 * A signing pool without workers: keys are held and requests signed in the calling thread (`--workers 0`,
 * and wherever no worker runtime is wired, such as in-process unit tests). Same results and errors as the
 * worker pool, since both call `signRequest`; `options.curve` is the curve to sign with.
 *
 * @example
 * ```ts
 * const pool = createInlineSigningPool();
 * pool.addKey(address, privateKey);
 * const { raw } = await pool.sign(address, { kind: "transaction", transaction });
 * ```
 */
export function createInlineSigningPool(options: SignOptions = {}): SigningPool {
  const keys = new Map<string, Uint8Array>();
  const removeKey = (address: string) => {
    const id = address.toLowerCase();
    const key = keys.get(id);
    if (!key) return;
    key.fill(0);
    keys.delete(id);
  };
  return {
    workers: 0,
    addKey(address, privateKey) {
      removeKey(address);
      keys.set(address.toLowerCase(), privateKey);
    },
    removeKey,
    async sign(address: Hex, request) {
      const key = keys.get(address.toLowerCase());
      if (!key) throw new UnknownAccountError(address);
      return signRequest(key, request, options);
    },
    close() {
      for (const address of [...keys.keys()]) removeKey(address);
    },
  };
}
