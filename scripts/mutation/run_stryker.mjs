#!/usr/bin/env node
// Runs one Stryker mutation test with scripts/mutation/stryker.config.mjs (target chosen by MUTATION_TARGET).
// Stryker 10's CLI refuses Node < 22 at start-up (a version guard in stryker-cli.js); this project runs on
// Node 20 (engines: >=20.18.1) and Stryker's core works there, so the run goes through the `Stryker` class
// itself, imported by path because the package exports only its CLI-guarded entry point.
import { fileURLToPath, pathToFileURL } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const { Stryker } = await import(pathToFileURL(`${root}node_modules/@stryker-mutator/core/dist/src/stryker.js`).href);
const { default: config } = await import("./stryker.config.mjs");
process.chdir(root);
const results = await new Stryker(config).runMutationTest();
console.log(`[mutation] ${process.env.MUTATION_TARGET}: ${results.length} mutants`);
