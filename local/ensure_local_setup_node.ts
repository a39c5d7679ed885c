import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createSimulatedPki, exportSimulatedPki, importSimulatedPki } from "../signer/mod.ts";
import { DEFAULT_SECRET_PREFIX } from "../host-agent/mod.ts";

export type LocalSetup = {
  region: string;
  /** PCR0 of "the approved image" of the local stack: the simulated signer reports it, the key policy requires it. */
  pcr0: string;
  secretPrefix: string;
  /** The KMS key, once created. */
  kmsKeyId?: string;
  /** Files in the state directory. */
  pkiFile: string;
  attestationRootFile: string;
};

/**
 * The durable part of a local stack's state directory, made on first start: `setup.json` (region, approved
 * PCR0, secret prefix, KMS key id) and the simulated NSM PKI (`pki/simulated-pki.json`, its root in
 * `pki/root.pem` for verifiers). The approved PCR0 stands for the image hash of a real EIF.
 *
 * @example
 * ```ts
 * const setup = await ensureLocalSetup(".local");
 * ```
 */
export async function ensureLocalSetup(stateDir: string): Promise<LocalSetup & { save(update: Partial<LocalSetup>): Promise<void> }> {
  const path = join(stateDir, "setup.json");
  const pkiDir = join(stateDir, "pki");
  const pkiFile = join(pkiDir, "simulated-pki.json");
  const attestationRootFile = join(pkiDir, "root.pem");
  let setup: LocalSetup;
  try {
    setup = { ...JSON.parse(await readFile(path, "utf8")), pkiFile, attestationRootFile };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`Cannot read ${path}: ${(error as Error).message}`);
    setup = {
      region: "us-east-1",
      pcr0: createHash("sha384").update("nitro-eth-signer local enclave image").digest("hex"),
      secretPrefix: DEFAULT_SECRET_PREFIX,
      pkiFile,
      attestationRootFile,
    };
  }
  await mkdir(pkiDir, { recursive: true });
  let pkiJson: string;
  try {
    pkiJson = await readFile(pkiFile, "utf8");
  } catch {
    pkiJson = exportSimulatedPki(await createSimulatedPki({ region: setup.region }));
    await writeFile(pkiFile, pkiJson, { mode: 0o600 });
  }
  const pki = await importSimulatedPki(pkiJson);
  await writeFile(attestationRootFile, pki.root.certificatePem);
  const save = async (update: Partial<LocalSetup>) => {
    Object.assign(setup, update);
    const { pkiFile: _p, attestationRootFile: _r, ...durable } = setup;
    await writeFile(path, JSON.stringify(durable, null, 2));
  };
  await save({});
  return Object.assign(setup, { save });
}
