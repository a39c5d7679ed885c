/// <reference lib="deno.ns" />
/**
 * The known answers of `signTransaction` (sign_transaction_known_answer_cases.ts) under Deno, where it converts
 * hex with the engine's own `Uint8Array.fromHex` / `toHex` and signs with the native curve when libsecp256k1 is
 * installed (else WebAssembly). Prints one JSON line `{ count, byType, failures, curve }` and exits 1 on any
 * failure. Run by `sign_transaction_known_answers.test.ts`, or by hand:
 * `deno run --allow-ffi --allow-read --allow-env test/signer/signing/sign_transaction_known_answers_deno.ts [COUNT] [SEED]`
 */
import { openCurveDeno } from "../../../signer/signing/open_curve_deno.ts";
import { checkSignTransactionKnownAnswers } from "./sign_transaction_known_answer_cases.ts";

const count = Number(Deno.args[0] ?? 3000);
const seed = Number(Deno.args[1] ?? 0x19);
const { curve } = openCurveDeno("auto");
const report = await checkSignTransactionKnownAnswers(count, seed, { curve });
console.log(JSON.stringify({ ...report, failures: report.failures.slice(0, 5), failed: report.failures.length, curve: curve.name, fromHex: typeof (Uint8Array as unknown as { fromHex?: unknown }).fromHex === "function" }));
Deno.exit(report.failures.length === 0 ? 0 : 1);
