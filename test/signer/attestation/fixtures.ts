// Real attestation documents from ../shared/fixtures/nitro (see its README). Tests that need them skip with a
// message when the folder is absent; they are never copied into the repository.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const NITRO_FIXTURES = join(fileURLToPath(new URL("../../../", import.meta.url)), "../shared/fixtures/nitro");
export const HAVE_NITRO_FIXTURES = existsSync(join(NITRO_FIXTURES, "aws-nitro-root-g1.pem"));
if (!HAVE_NITRO_FIXTURES) console.log(`[skip] real Nitro fixtures not found at ${NITRO_FIXTURES}: interop tests skipped`);

export type RealDocument = { file: string; timestamp: number; indefinite: boolean; debug: boolean };

export const REAL_DOCUMENTS: RealDocument[] = [
  { file: "real-2025-04-eu-central-1.b64", timestamp: 1743516970144, indefinite: false, debug: false },
  { file: "real-2026-02-ap-southeast-2.b64", timestamp: 1770366258452, indefinite: true, debug: false },
  { file: "real-2024-09-us-east-1-debug.b64", timestamp: 1726534079695, indefinite: false, debug: true },
];

export function readRealDocument(file: string): Uint8Array {
  return new Uint8Array(Buffer.from(readFileSync(join(NITRO_FIXTURES, file), "utf8").trim(), "base64"));
}

export function readAwsRootPem(): string {
  return readFileSync(join(NITRO_FIXTURES, "aws-nitro-root-g1.pem"), "utf8");
}
