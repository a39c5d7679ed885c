import { secp256k1 } from "@noble/curves/secp256k1";
import { signRecoverable } from "tiny-secp256k1";
import { keccak256 } from "viem";

export type CurveSignRates = {
  /** @noble/curves `secp256k1.sign` (viem's curve, pure JavaScript), signatures per second. */
  noble: number;
  /** tiny-secp256k1 `signRecoverable` (libsecp256k1 in WebAssembly), signatures per second. */
  wasm: number;
  /** Native libsecp256k1 through Deno FFI (issue 19), signatures per second; null when not given (Node, or no library). */
  native: number | null;
  /** All of them gave the same r, s and recovery id for every sampled digest (RFC 6979, low-s). */
  identical: boolean;
};

/** A secp256k1 signer of 32-byte digests shaped like the signer's `Curve` (r ‖ s and a recovery id). */
export type DigestSigner = (digest: Uint8Array, privateKey: Uint8Array) => { signature: Uint8Array; recoveryId: number };

/**
 * Compares the secp256k1 implementations on 32-byte digests in this runtime (and the native one, given as
 * `options.native`: Deno only), one core, alternating short
 * rounds so that noise from other processes hits both alike, and checks that their signatures are
 * byte-identical. Web-standard code: it runs the same under Node and Deno.
 *
 * @example
 * ```ts
 * const { noble, wasm, identical } = measureCurveSign(privateKey, { durationMs: 2000 });
 * ```
 */
export function measureCurveSign(privateKey: Uint8Array, options: { durationMs: number; native?: DigestSigner }): CurveSignRates {
  const digests = Array.from({ length: 256 }, (_, i) => keccak256(new Uint8Array([i, 0x5a]), "bytes"));
  let identical = true;
  for (const digest of digests) {
    const a = secp256k1.sign(digest, privateKey, { lowS: true });
    const b = signRecoverable(digest, privateKey);
    if (!equal(a.toCompactRawBytes(), b.signature) || a.recovery !== b.recoveryId) identical = false;
    const c = options.native?.(digest, privateKey);
    if (c && (!equal(c.signature, b.signature) || c.recoveryId !== b.recoveryId)) identical = false;
  }
  const implementations = [
    (digest: Uint8Array) => secp256k1.sign(digest, privateKey, { lowS: true }),
    (digest: Uint8Array) => signRecoverable(digest, privateKey),
    ...(options.native ? [(digest: Uint8Array) => options.native!(digest, privateKey)] : []),
  ];
  const counts = implementations.map(() => 0);
  const times = implementations.map(() => 0);
  const rounds = 10;
  for (let round = 0; round < rounds; round++) {
    for (let which = 0; which < implementations.length; which++) {
      const sign = implementations[which]!;
      const started = performance.now();
      let n = 0;
      while (performance.now() - started < options.durationMs / rounds / implementations.length) {
        for (let k = 0; k < 10; k++, n++) sign(digests[n & 255]!);
      }
      times[which]! += performance.now() - started;
      counts[which]! += n;
    }
  }
  const rate = (which: number) => counts[which]! / (times[which]! / 1000);
  return { noble: rate(0), wasm: rate(1), native: options.native ? rate(2) : null, identical };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
