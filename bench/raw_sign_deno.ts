/// <reference lib="deno.ns" />
/**
 * The Deno side of the in-process measurements, run by the harness as a child process so that its rounds can
 * alternate with the others: reads commands on stdin, one per line, and answers each with one JSON line.
 *
 *   raw MS W   → {"per_s": …}                                  viem signTransaction for MS ms after W ms of warm-up
 *   curve MS   → {"noble": …, "wasm": …, "native": … | null, "identical": true}   the secp256k1 implementations
 *                (native: libsecp256k1 through FFI, issue 19; null when the library cannot be loaded)
 *   version    → {"deno": "2.9.6"}
 *
 * Exits at the end of stdin.
 */
import { hexToBytes } from "viem";
import { openNativeCurveDeno, type NativeCurve } from "../signer/mod_deno.ts";
import { BENCH_KEY } from "./bench_keys.ts";
import { measureCurveSign } from "./measure_curve_sign.ts";
import { measureRawSign } from "./measure_raw_sign.ts";

let native: NativeCurve | undefined;
try {
  native = openNativeCurveDeno();
} catch {
  native = undefined; // no libsecp256k1-1 here: the native figure is null
}
const nativeSigner = native ? (digest: Uint8Array, key: Uint8Array) => native.signRecoverable(digest, key) : undefined;

const encoder = new TextEncoder();
const answer = (value: unknown) => Deno.stdout.write(encoder.encode(`${JSON.stringify(value)}\n`));

let pending = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  pending += chunk;
  let newline: number;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const [command, arg, arg2] = pending.slice(0, newline).trim().split(/\s+/);
    pending = pending.slice(newline + 1);
    const ms = Number(arg);
    const warmupMs = Number(arg2 ?? ms / 5);
    if (command === "raw" && ms > 0 && warmupMs >= 0) await answer({ per_s: await measureRawSign({ durationMs: ms, warmupMs, privateKey: BENCH_KEY }) });
    else if (command === "curve" && ms > 0) await answer(measureCurveSign(hexToBytes(BENCH_KEY), { durationMs: ms, ...(nativeSigner ? { native: nativeSigner } : {}) }));
    else if (command === "version") await answer({ deno: Deno.version.deno });
    else await answer({ error: `unknown command ${JSON.stringify(command)}` });
  }
}
