import "reflect-metadata"; // @peculiar/x509 2.x needs a Reflect polyfill (through tsyringe); it must load first.
import * as x509 from "@peculiar/x509";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

export type EnsureLocalTlsOptions = {
  /** Regions whose `kms.<region>.amazonaws.com` / `secretsmanager.<region>.amazonaws.com` the server cert names. @default ["us-east-1"] */
  readonly regions?: readonly string[];
  /** Current time in ms (tests). @default Date.now() */
  readonly now?: number;
};

export type LocalTls = {
  /** The local CA certificate (PEM): trust it, and only it, to reach the local stand-ins. */
  readonly caPem: string;
  /** Path of `ca.pem` in the state directory. */
  readonly caPath: string;
  /** Server certificate (PEM) for 127.0.0.1, ::1, localhost and the regional KMS / Secrets Manager host names. */
  readonly certPem: string;
  /** Server private key (PKCS#8 PEM). */
  readonly keyPem: string;
};

const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Returns the local TLS material of a state directory, creating it on first use under `stateDir/ca/`:
 * a local CA (`ca.pem`, `ca-key.pem`, P-256, 10 years) that only the local stack trusts, and a server
 * certificate (`server.pem`, `server-key.pem`, 1 year) for 127.0.0.1, ::1, localhost,
 * `kms.<region>.amazonaws.com` and `secretsmanager.<region>.amazonaws.com`. The server certificate is reissued
 * (same CA) when a region is added or it expires within 30 days. Keys are written with mode 0600.
 *
 * @example
 * ```ts
 * const tls = await ensureLocalTls(".local", { regions: ["eu-central-1"] });
 * tls.caPem; // pass as `caCertificates` to the signer's KMS client
 * ```
 */
export async function ensureLocalTls(stateDir: string, options: EnsureLocalTlsOptions = {}): Promise<LocalTls> {
  if (typeof stateDir !== "string" || stateDir === "") throw new TypeError("stateDir must be a non-empty path");
  const regions = options.regions ?? ["us-east-1"];
  for (const region of regions) {
    if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new RangeError(`Invalid AWS region: ${JSON.stringify(region)}`);
  }
  const now = options.now ?? Date.now();
  x509.cryptoProvider.set(crypto);
  const dir = join(stateDir, "ca");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths = {
    ca: join(dir, "ca.pem"),
    caKey: join(dir, "ca-key.pem"),
    cert: join(dir, "server.pem"),
    key: join(dir, "server-key.pem"),
  };

  let ca = await readPair(paths.ca, paths.caKey);
  if (!ca) {
    ca = await createCa(now);
    await writeFile(paths.caKey, ca.keyPem, { mode: 0o600 });
    await writeFile(paths.ca, ca.certPem);
  }

  const names = serverNames(regions);
  let server = await readPair(paths.cert, paths.key);
  if (!server || !covers(new x509.X509Certificate(server.certPem), names, now, ca.certPem)) {
    server = await createServerCert(ca, names, now);
    await writeFile(paths.key, server.keyPem, { mode: 0o600 });
    await writeFile(paths.cert, server.certPem);
  }
  return { caPem: ca.certPem, caPath: paths.ca, certPem: server.certPem, keyPem: server.keyPem };
}

type Pair = { certPem: string; keyPem: string };
type Names = { dns: string[]; ip: string[] };

async function readPair(certPath: string, keyPath: string): Promise<Pair | undefined> {
  try {
    return { certPem: await readFile(certPath, "utf8"), keyPem: await readFile(keyPath, "utf8") };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function serverNames(regions: readonly string[]): Names {
  return {
    dns: ["localhost", ...regions.flatMap((r) => [`kms.${r}.amazonaws.com`, `secretsmanager.${r}.amazonaws.com`])],
    ip: ["127.0.0.1", "::1"],
  };
}

function covers(cert: x509.X509Certificate, names: Names, now: number, caPem: string): boolean {
  if (cert.notAfter.getTime() - now < 30 * DAY_MS || cert.notBefore.getTime() > now) return false;
  if (cert.issuer !== new x509.X509Certificate(caPem).subject) return false;
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!san) return false;
  const present = new Set(san.names.items.map((n) => `${n.type}:${n.value}`));
  return names.dns.every((d) => present.has(`dns:${d}`)) && names.ip.every((i) => present.has(`ip:${i}`));
}

async function createCa(now: number): Promise<Pair> {
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: "CN=nitro-eth-signer local CA, O=nitro-eth-signer (local only)",
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await privateKeyPem(keys.privateKey) };
}

async function createServerCert(ca: Pair, names: Names, now: number): Promise<Pair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await crypto.subtle.importKey("pkcs8", x509.PemConverter.decodeFirst(ca.keyPem), ALGORITHM, false, ["sign"]);
  const keys = await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: "CN=localhost",
    issuer: caCert.subject,
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...names.dns.map((value) => ({ type: "dns" as const, value })),
        ...names.ip.map((value) => ({ type: "ip" as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString("pem") + "\n", keyPem: await privateKeyPem(keys.privateKey) };
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY") + "\n";
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f; // positive INTEGER (RFC 5280 §4.1.2.2)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
