/// <reference lib="deno.ns" />
import type { Curve, CurveChoice } from "./curve.ts";
import { NATIVE_CURVE_LIBRARY, openNativeCurveDeno } from "./open_native_curve_deno.ts";
import { selfTestCurve } from "./self_test_curve.ts";
import { wasmCurve } from "./wasm_curve.ts";

export type OpenCurveDenoOptions = {
  /** The native library. @default NATIVE_CURVE_LIBRARY */
  library?: string;
};

export type OpenCurveDenoReturnType = {
  curve: Curve;
  /** With `auto` only: why the native curve was not used (the signer says so once at start). */
  fallback?: string;
  /** Releases the native library, if it was opened. */
  close(): void;
};

/**
 * Opens the curve the signer was told to use (issue 19), in the thread that will sign with it: `native` opens
 * libsecp256k1 and runs `selfTestCurve`, and throws Error with a one-line reason if either fails (the signer
 * then refuses to start: no silent fallback in production); `wasm` is the WebAssembly build; `auto` tries native
 * and falls back to wasm explicitly, returning why in `fallback`.
 *
 * @example
 * ```ts
 * const { curve, fallback, close } = openCurveDeno("auto");
 * if (fallback) log({ event: "curve-fallback", curve: curve.name, reason: fallback });
 * ```
 */
export function openCurveDeno(choice: CurveChoice, options: OpenCurveDenoOptions = {}): OpenCurveDenoReturnType {
  if (choice === "wasm") return { curve: wasmCurve, close() {} };
  const library = options.library ?? NATIVE_CURVE_LIBRARY;
  let native;
  try {
    native = openNativeCurveDeno({ path: library });
    selfTestCurve(native);
  } catch (error) {
    native?.close();
    const reason = nativeFailure(error, library);
    if (choice === "native") throw new Error(`Cannot use the native secp256k1 curve: ${reason}`, { cause: error });
    return { curve: wasmCurve, fallback: reason, close() {} };
  }
  return { curve: native, close: () => native.close() };
}

function nativeFailure(error: unknown, library: string): string {
  if (error instanceof Deno.errors.NotCapable || (error instanceof Error && error.name === "NotCapable")) return "no FFI permission (--allow-ffi)";
  const message = error instanceof Error ? error.message.split("\n")[0]!.replace(/^(Could not open library: )+/, "").slice(0, 200) : String(error);
  if (/self-test/.test(message)) return message;
  return `${library} cannot be loaded (install Debian's libsecp256k1-1): ${message}`;
}
