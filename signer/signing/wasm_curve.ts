import { signRecoverable } from "tiny-secp256k1";
import type { Curve } from "./curve.ts";

/**
 * libsecp256k1 compiled to WebAssembly (`tiny-secp256k1`): the curve wherever the native library is not loaded —
 * under Node, and on a machine without Debian's `libsecp256k1-1` in dev mode. About twice as fast as the pure-JS
 * curve (@noble/curves) under Deno and byte-identical to it. The library copies the key into its own memory for
 * the call and zeroes it afterwards. Like any JavaScript or WebAssembly code, it makes no hard constant-time
 * guarantee at the level of the engine (the native curve is the enclave's for that reason).
 *
 * @example
 * ```ts
 * const { signature, recoveryId } = wasmCurve.signRecoverable(digest, privateKey);
 * ```
 */
export const wasmCurve: Curve = {
  name: "wasm",
  signRecoverable(digest, privateKey) {
    try {
      return signRecoverable(digest, privateKey);
    } catch (error) {
      // tiny-secp256k1 says "Expected Private" for a key of zero or ≥ n: the same RangeError as the native curve.
      if (error instanceof Error && /private/i.test(error.message)) throw new RangeError("Cannot sign digest: invalid private key");
      throw error;
    }
  },
};
