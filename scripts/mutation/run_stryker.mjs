#!/usr/bin/env node
// Runs one Stryker mutation test with scripts/mutation/stryker.config.mjs (target chosen by MUTATION_TARGET).
// Stryker 10's CLI refuses Node < 22 at start-up (a version guard in stryker-cli.js); this project runs on
// Node 20 (engines: >=20.18.1) and Stryker's core works there, so the run goes through the `Stryker` class
// itself, imported by path because the package exports only its CLI-guarded entry point.
import { existsSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { Stryker } = await import(pathToFileURL(`${root}node_modules/@stryker-mutator/core/dist/src/stryker.js`).href);
const { default: config } = await import("./stryker.config.mjs");
process.chdir(root);
// Tests find the real Nitro fixtures at <project>/../shared/fixtures (test/signer/attestation/fixtures.ts); in a
// sandbox (<project>/.stryker-tmp/sandbox-*) that is <project>/.stryker-tmp/shared, so link it there, or the
// tests that verify real AWS documents (the default root and its pin) would skip and their mutants survive.
if (existsSync(`${root}../shared`)) {
  mkdirSync(`${root}.stryker-tmp`, { recursive: true });
  rmSync(`${root}.stryker-tmp/shared`, { force: true });
  symlinkSync("../../shared", `${root}.stryker-tmp/shared`);
}
const results = await new Stryker(config).runMutationTest();
console.log(`[mutation] ${process.env.MUTATION_TARGET}: ${results.length} mutants`);
