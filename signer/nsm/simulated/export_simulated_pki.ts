import type { SimulatedPki } from "./create_simulated_pki.ts";

/**
 * Serializes a simulated PKI as JSON text (format `nitro-eth-signer/simulated-nitro-pki@1`: `region`,
 * `instanceId`, and `root`/`regional`/`zonal`/`instance` each `{ certificatePem, privateKeyPem }` with PKCS#8
 * keys). It holds private keys of a test PKI: store it in the local state directory, nowhere shared.
 *
 * @example
 * ```ts
 * await writeFile(join(stateDir, "simulated-pki.json"), exportSimulatedPki(pki), { mode: 0o600 });
 * ```
 */
export function exportSimulatedPki(pki: SimulatedPki): string {
  if (typeof pki !== "object" || pki === null) throw new TypeError("Cannot export simulated PKI: expected an object");
  const entry = (e: SimulatedPki["root"]) => ({ certificatePem: e.certificatePem, privateKeyPem: e.privateKeyPem });
  return `${JSON.stringify(
    {
      format: pki.format,
      region: pki.region,
      instanceId: pki.instanceId,
      root: entry(pki.root),
      regional: entry(pki.regional),
      zonal: entry(pki.zonal),
      instance: entry(pki.instance),
    },
    null,
    2,
  )}\n`;
}
