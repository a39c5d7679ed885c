import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { binaryPath } from "../../../local/binaries_node.ts";
import { checkSignTransactionKnownAnswers } from "./sign_transaction_known_answer_cases.ts";

// signTransaction serializes once and builds the signed encoding from the unsigned one (issue 19): over seeded
// random transactions of every type (access lists, blob hashes, authorization lists, contract creation, zero and
// largest values, calldata at RLP's length boundaries) it must give exactly viem's signed serialization and hash.
// Under Node it converts hex with viem's functions; under Deno with the engine's (Uint8Array.fromHex / toHex) and
// signs with the native curve where libsecp256k1 is installed: both are checked.
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const COUNT = 3000;

const summary = (report: { byType: Record<string, number>; failures: unknown[] }) =>
  `${JSON.stringify(report.byType)}; first failures: ${JSON.stringify(report.failures.slice(0, 3), null, 1)}`;

test(`under Node: ${COUNT} random transactions of every type, byte-identical to viem's signed serialization and hash`, async () => {
  const report = await checkSignTransactionKnownAnswers(COUNT, 0x19);
  for (const type of ["0x0", "0x1", "0x2", "0x3", "0x4"]) assert.ok((report.byType[type] ?? 0) > COUNT / 10, summary(report));
  assert.is(report.failures.length, 0, summary(report));
});

test(`under Deno: ${COUNT} other random transactions, byte-identical to viem's`, () => {
  const run = spawnSync(binaryPath("deno"), ["run", "--quiet", "--allow-ffi", "--allow-read", "--allow-env", "test/signer/signing/sign_transaction_known_answers_deno.ts", String(COUNT), String(0x1919)], {
    cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 240_000,
  });
  const line = run.stdout.split("\n").find((l) => l.startsWith("{"));
  assert.ok(line, `no report from Deno: ${run.stderr.slice(-1000)}`);
  const report = JSON.parse(line!) as { count: number; byType: Record<string, number>; failures: unknown[]; failed: number; fromHex: boolean };
  assert.is(report.count, COUNT);
  assert.ok(report.fromHex, "this Deno has no Uint8Array.fromHex: the engine's hex path went untested");
  assert.is(report.failed, 0, summary(report));
  assert.is(run.status, 0, run.stderr);
});

test.run();
