import { derToPem } from "../../attestation/pem.ts";
import {
  generateP384KeyPair,
  issueSimulatedCertificate,
  type SimulatedLevel,
  simulatedSubject,
} from "./simulated_certificates.ts";

/** One CA of the simulated PKI: its certificate and its PKCS#8 private key, both PEM. */
export type SimulatedPkiEntry = { certificatePem: string; privateKeyPem: string };

/**
 * A simulated Nitro attestation PKI (root → regional → zonal → instance; the leaf is made by each simulated
 * NSM at boot). Plain JSON-able data: persist it with `exportSimulatedPki()`, load it with
 * `importSimulatedPki()`, and give `root.certificatePem` to whatever must trust the simulated documents (the
 * local KMS stand-in, `verifyAttestationDocument({ roots })`). The private keys are test keys: never trust
 * this root anywhere real.
 */
export type SimulatedPki = {
  format: typeof SIMULATED_PKI_FORMAT;
  /** AWS region named in the regional/zonal/instance certificates. */
  region: string;
  /** The EC2 instance id (`i-` + 17 hex) the instance certificate and module ids belong to. */
  instanceId: string;
  root: SimulatedPkiEntry;
  regional: SimulatedPkiEntry;
  zonal: SimulatedPkiEntry;
  instance: SimulatedPkiEntry;
};

export const SIMULATED_PKI_FORMAT = "nitro-eth-signer/simulated-nitro-pki@1" as const;

export type CreateSimulatedPkiOptions = {
  /** @default "us-east-1" */
  region?: string;
  /** @default a random `i-` + 17 lowercase hex */
  instanceId?: string;
  /** ms since the epoch; certificates are issued from it. @default Date.now */
  clock?: () => number;
};

/** The root is back-dated by a year so documents made with an injected clock in the recent past still verify. */
const ROOT_BACKDATE_MS = 365 * 24 * 3_600_000;
const INTERMEDIATE_BACKDATE_MS = 60_000;

/**
 * Creates a fresh simulated PKI whose chain mirrors AWS's profile (P-384, ecdsa-with-SHA384, the same
 * basicConstraints/pathLen/keyUsage per level; see `simulated_certificates.ts`). Its root is
 * `CN=simulated.nitro-enclaves, O=Simulated` so its documents can never pass for AWS ones.
 *
 * @example
 * ```ts
 * const pki = await createSimulatedPki({ region: "us-east-1" });
 * await writeFile(path, exportSimulatedPki(pki));
 * const nsm = await createSimulatedNsm({ pki });
 * ```
 */
export async function createSimulatedPki(options: CreateSimulatedPkiOptions = {}): Promise<SimulatedPki> {
  const region = options.region ?? "us-east-1";
  if (!/^[a-z0-9-]{1,32}$/.test(region)) throw new TypeError(`Cannot create simulated PKI: bad region ${region}`);
  const instanceId = options.instanceId ?? `i-${randomHex(17)}`;
  if (!/^i-[0-9a-f]{8,17}$/.test(instanceId)) throw new TypeError(`Cannot create simulated PKI: bad instance id ${instanceId}`);
  const now = (options.clock ?? Date.now)();
  if (!Number.isFinite(now)) throw new RangeError("Cannot create simulated PKI: clock returned a non-number");

  const entries: Partial<Record<SimulatedLevel, SimulatedPkiEntry>> = {};
  let issuer: { certificate: Uint8Array; privateKey: CryptoKey } | undefined;
  const ids: Record<Exclude<SimulatedLevel, "leaf">, string> = {
    root: "",
    regional: randomHex(16),
    zonal: randomHex(16),
    instance: instanceId,
  };
  for (const level of ["root", "regional", "zonal", "instance"] as const) {
    const keys = await generateP384KeyPair();
    const certificate = await issueSimulatedCertificate({
      level,
      subject: simulatedSubject(level, { region, id: ids[level] }),
      publicKey: keys.publicKey,
      ...(issuer ? { issuer } : { selfKey: keys.privateKey }),
      notBefore: now - (level === "root" ? ROOT_BACKDATE_MS : INTERMEDIATE_BACKDATE_MS),
    });
    const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
    entries[level] = { certificatePem: derToPem(certificate, "CERTIFICATE"), privateKeyPem: derToPem(pkcs8, "PRIVATE KEY") };
    pkcs8.fill(0);
    issuer = { certificate, privateKey: keys.privateKey };
  }
  return {
    format: SIMULATED_PKI_FORMAT,
    region,
    instanceId,
    root: entries.root!,
    regional: entries.regional!,
    zonal: entries.zonal!,
    instance: entries.instance!,
  };
}

function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(length / 2)));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, length);
}
