import { pemToDer } from "../../attestation/pem.ts";
import { SIMULATED_PKI_FORMAT, type SimulatedPki, type SimulatedPkiEntry } from "./create_simulated_pki.ts";
import { importP384PrivateKey, parse } from "./simulated_certificates.ts";

/**
 * Parses and checks a simulated PKI exported by `exportSimulatedPki()`: the format tag, every PEM, that each
 * private key belongs to its certificate, and that root → regional → zonal → instance chain by name and
 * signature. Validity periods are not checked: a simulated NSM re-issues expired intermediates at boot.
 * Throws `TypeError` when anything is off.
 *
 * @example
 * ```ts
 * const pki = await importSimulatedPki(await readFile(join(stateDir, "simulated-pki.json"), "utf8"));
 * ```
 */
export async function importSimulatedPki(json: string): Promise<SimulatedPki> {
  if (typeof json !== "string") throw new TypeError("Cannot import simulated PKI: expected JSON text");
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new TypeError("Cannot import simulated PKI: not JSON");
  }
  const o = value as Record<string, unknown>;
  if (typeof o !== "object" || o === null || o.format !== SIMULATED_PKI_FORMAT) {
    throw new TypeError(`Cannot import simulated PKI: format must be ${SIMULATED_PKI_FORMAT}`);
  }
  if (typeof o.region !== "string" || !/^[a-z0-9-]{1,32}$/.test(o.region)) throw new TypeError("Cannot import simulated PKI: bad region");
  if (typeof o.instanceId !== "string" || !/^i-[0-9a-f]{8,17}$/.test(o.instanceId)) {
    throw new TypeError("Cannot import simulated PKI: bad instanceId");
  }
  const levels = ["root", "regional", "zonal", "instance"] as const;
  const entries = {} as Record<(typeof levels)[number], SimulatedPkiEntry>;
  let parent: ReturnType<typeof parse> | undefined;
  for (const level of levels) {
    const e = o[level] as Record<string, unknown> | undefined;
    if (typeof e?.certificatePem !== "string" || typeof e.privateKeyPem !== "string") {
      throw new TypeError(`Cannot import simulated PKI: ${level} needs certificatePem and privateKeyPem`);
    }
    let certificate: ReturnType<typeof parse>;
    let key: CryptoKey;
    try {
      certificate = parse(pemToDer(e.certificatePem, "CERTIFICATE"));
      key = await importP384PrivateKey(pemToDer(e.privateKeyPem, "PRIVATE KEY"));
    } catch (cause) {
      throw new TypeError(`Cannot import simulated PKI: ${level} is not a P-384 certificate and PKCS#8 key`, { cause });
    }
    // The key pair matches when the public point in the certificate equals the one in the private key's JWK.
    const privateJwk = await crypto.subtle.exportKey("jwk", key);
    const publicJwk = await crypto.subtle.exportKey("jwk", await certificate.getPublicKey());
    if (privateJwk.x !== publicJwk.x || privateJwk.y !== publicJwk.y) {
      throw new TypeError(`Cannot import simulated PKI: ${level} key does not match its certificate`);
    }
    const issuer = parent ?? certificate;
    if (!certificate.issuer.isEqual(issuer.subject) || !(await certificate.verify(issuer))) {
      throw new TypeError(`Cannot import simulated PKI: ${level} is not issued by the ${parent ? "previous level" : "root itself"}`);
    }
    entries[level] = { certificatePem: e.certificatePem, privateKeyPem: e.privateKeyPem };
    parent = certificate;
  }
  return { format: SIMULATED_PKI_FORMAT, region: o.region, instanceId: o.instanceId, ...entries };
}
