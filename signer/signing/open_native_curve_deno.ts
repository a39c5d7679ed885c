/// <reference lib="deno.ns" />
import type { Curve } from "./curve.ts";

/** The soname Debian's `libsecp256k1-1` installs (bookworm: 0.2.0-2, `/usr/lib/x86_64-linux-gnu/libsecp256k1.so.1`). */
export const NATIVE_CURVE_LIBRARY = "libsecp256k1.so.1";

/** `SECP256K1_CONTEXT_NONE` (include/secp256k1.h, 0.2.0): a context for signing and verifying; 0.2.0 deprecates the SIGN/VERIFY flags. */
const SECP256K1_CONTEXT_NONE = 1;

/**
 * The symbols used (include/secp256k1.h and include/secp256k1_recovery.h, 0.2.0). Every call blocks the calling
 * thread (no `nonblocking`), as the NSM's FFI does (DESIGN §5): a signature takes ~35 µs, less than handing the
 * call to another thread would cost, and each signing worker is a thread of its own anyway.
 */
const SYMBOLS = {
  secp256k1_context_create: { parameters: ["u32"], result: "pointer" },
  secp256k1_context_destroy: { parameters: ["pointer"], result: "void" },
  secp256k1_context_randomize: { parameters: ["pointer", "buffer"], result: "i32" },
  // (ctx, sig[65] out, msghash32, seckey, noncefp = NULL → RFC 6979, ndata = NULL)
  secp256k1_ecdsa_sign_recoverable: { parameters: ["pointer", "buffer", "buffer", "buffer", "pointer", "pointer"], result: "i32" },
  // (ctx, output64 out, recid out, sig)
  secp256k1_ecdsa_recoverable_signature_serialize_compact: { parameters: ["pointer", "buffer", "buffer", "buffer"], result: "i32" },
} as const;

export type NativeCurve = Curve & {
  /** The library file that was opened. */
  readonly path: string;
  /** Destroys the context and closes the library; signing afterwards throws. */
  close(): void;
};

export type OpenNativeCurveDenoOptions = {
  /** The library to load: a soname (searched like any dlopen) or a path. @default NATIVE_CURVE_LIBRARY */
  path?: string;
  /** Fills a buffer with random bytes, for the context's blinding. @default WebCrypto */
  random?: (bytes: Uint8Array) => Uint8Array;
};

/**
 * The native libsecp256k1 through Deno FFI (issue 19): constant-time signing in C, ~7× the WebAssembly build.
 * Opens the library, creates one context and randomizes it with 32 bytes from `random` (libsecp256k1's blinding
 * against side channels, as `secp256k1_context_randomize` recommends), and signs with
 * `secp256k1_ecdsa_sign_recoverable` (RFC 6979, low s) + `…_recoverable_signature_serialize_compact`. The key is
 * copied into a buffer of this curve's own for the call only and zeroed after it, whatever happens; the caller's
 * bytes are never handed to C. One per thread (each signing worker opens its own): a context is not shared.
 * Throws when the library cannot be loaded (absent, or no `--allow-ffi`) or the context cannot be made.
 *
 * @example
 * ```ts
 * const curve = openNativeCurveDeno();
 * const { signature, recoveryId } = curve.signRecoverable(digest, privateKey);
 * ```
 */
export function openNativeCurveDeno(options: OpenNativeCurveDenoOptions = {}): NativeCurve {
  const path = options.path ?? NATIVE_CURVE_LIBRARY;
  const random = options.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  const lib = Deno.dlopen(path, SYMBOLS);
  const ctx = lib.symbols.secp256k1_context_create(SECP256K1_CONTEXT_NONE);
  if (ctx === null) {
    lib.close();
    throw new Error("Cannot open libsecp256k1: secp256k1_context_create failed");
  }
  const seed = random(new Uint8Array(32));
  const randomized = lib.symbols.secp256k1_context_randomize(ctx, seed);
  seed.fill(0);
  if (randomized !== 1) {
    lib.symbols.secp256k1_context_destroy(ctx);
    lib.close();
    throw new Error("Cannot open libsecp256k1: secp256k1_context_randomize failed");
  }
  // Buffers of this curve's own, reused by every call (one thread, calls never overlap).
  const key = new Uint8Array(32);
  const digestBuffer = new Uint8Array(32);
  const recoverable = new Uint8Array(65);
  const recoveryId = new Int32Array(1);
  let open = true;
  return {
    name: "native",
    path,
    signRecoverable(digest, privateKey) {
      if (!open) throw new TypeError("Cannot sign: the native curve is closed");
      if (digest.length !== 32) throw new RangeError(`Cannot sign digest: length ${digest.length}, expected 32`);
      if (privateKey.length !== 32) throw new RangeError(`Cannot sign digest: key length ${privateKey.length}, expected 32`);
      digestBuffer.set(digest);
      key.set(privateKey);
      let signed: number;
      try {
        signed = lib.symbols.secp256k1_ecdsa_sign_recoverable(ctx, recoverable, digestBuffer, key, null, null);
      } finally {
        key.fill(0);
      }
      // 0: the key is zero or not below the group order (the default nonce function never fails otherwise).
      if (signed !== 1) throw new RangeError("Cannot sign digest: invalid private key");
      const signature = new Uint8Array(64);
      lib.symbols.secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, signature, recoveryId, recoverable);
      return { signature, recoveryId: recoveryId[0]! };
    },
    close() {
      if (!open) return;
      open = false;
      lib.symbols.secp256k1_context_destroy(ctx);
      lib.close();
    },
  };
}
