/**
 * The boundary to the secp256k1 implementation (issue 19): one small type, one file per implementation —
 * `wasmCurve` (libsecp256k1 compiled to WebAssembly, `tiny-secp256k1`; every runtime) and `openNativeCurveDeno`
 * (the native libsecp256k1 through Deno FFI; the enclave's). Both sign a 32-byte digest with RFC 6979 nonces and
 * low s (EIP-2), so they give the same bytes (test/signer/signing/native_curve_deno.test.ts).
 */
export type Curve = {
  /** Which implementation this is, as `describe` and the start-up log report it. */
  readonly name: CurveName;
  /**
   * Signs `digest` (32 bytes) with `privateKey` (32 bytes): `signature` is r ‖ s (64 bytes, s low), `recoveryId`
   * 0…3. Leaves the caller's key as it was and keeps no copy of it. Throws RangeError for a key that is zero or
   * not below the group order.
   */
  signRecoverable(digest: Uint8Array, privateKey: Uint8Array): { signature: Uint8Array; recoveryId: number };
};

export type CurveName = "native" | "wasm";

/** What the signer is told to use: a curve, or `auto` (native if it loads and passes its self-test, else wasm). */
export type CurveChoice = CurveName | "auto";

/** The options every signing function takes: the curve to sign with. */
export type SignOptions = {
  /** @default wasmCurve */
  curve?: Curve;
};
