#!/usr/bin/env node
// Reads what `nitro-cli build-enclave` (or `nitro-cli describe-eif`) prints on stdout — a JSON object with
// "Measurements": { "HashAlgorithm", "PCR0", "PCR1", "PCR2" } — and writes the PCR file deploy/ reads:
//   { "PCR0": "<96 hex>", "PCR1": "<96 hex>", "PCR2": "<96 hex>", "EifSizeBytes": <size of --eif> }
// EifSizeBytes (with --eif) is what `cdk synth` checks the enclave memory against: nitro-cli wants 4 × the EIF,
// and the signer its headroom beside it (host-agent/enclave/check_enclave_memory.ts).
// Usage: node scripts/write_pcrs.mjs OUTPUT_FILE [--eif EIF_FILE] < build-output.json
//   (exit 1 with a one-line reason on bad input)
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";

const [output, ...rest] = process.argv.slice(2);
if (!output || output === "--help" || (rest.length > 0 && (rest.length !== 2 || rest[0] !== "--eif"))) {
  process.stderr.write("usage: node scripts/write_pcrs.mjs OUTPUT_FILE [--eif EIF_FILE] < nitro-cli-build-enclave-output.json\n");
  process.exit(output === "--help" ? 0 : 2);
}
const eif = rest[1];
const text = readFileSync(0, "utf8");
const start = text.search(/^\s*\{/m);
let parsed;
try {
  parsed = JSON.parse(start < 0 ? "" : text.slice(start));
} catch {
  process.stderr.write("write_pcrs: the nitro-cli output holds no JSON object\n");
  process.exit(1);
}
const measurements = parsed?.Measurements;
const pcrs = {};
for (const name of ["PCR0", "PCR1", "PCR2"]) {
  const value = typeof measurements?.[name] === "string" ? measurements[name].toLowerCase() : "";
  if (!/^[0-9a-f]{96}$/.test(value)) {
    process.stderr.write(`write_pcrs: Measurements.${name} is missing or not 96 hex digits (SHA-384)\n`);
    process.exit(1);
  }
  pcrs[name] = value;
}
if (eif !== undefined) {
  let size;
  try {
    size = statSync(eif).size;
  } catch {
    process.stderr.write(`write_pcrs: cannot read the EIF ${eif}\n`);
    process.exit(1);
  }
  if (size === 0) {
    process.stderr.write(`write_pcrs: the EIF ${eif} is empty\n`);
    process.exit(1);
  }
  pcrs.EifSizeBytes = size;
}
writeFileSync(`${output}.tmp`, JSON.stringify(pcrs, null, 2) + "\n");
renameSync(`${output}.tmp`, output);
process.stdout.write(JSON.stringify(pcrs) + "\n");
