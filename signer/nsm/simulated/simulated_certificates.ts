// Internal: the simulated Nitro PKI's certificate profile. It copies the AWS profile as found in real attestation
// documents (../shared/fixtures/nitro/): P-384 keys, ecdsa-with-SHA384, and per level
//   root      BC critical cA;             SKI;      KU critical digitalSignature|keyCertSign|cRLSign  (30 years)
//   regional  BC critical cA, pathLen 2;  AKI, SKI; KU critical digitalSignature|keyCertSign|cRLSign  (20 days)
//   zonal     BC critical cA, pathLen 1;  AKI, SKI; KU critical digitalSignature|keyCertSign|cRLSign  (6 days)
//   instance  BC critical cA, pathLen 0;  SKI, AKI; KU critical keyCertSign                            (1 day)
//   leaf      BC critical (cA false);               KU digitalSignature|nonRepudiation (not critical)   (3 hours)
// with the same attribute order and string types (C PrintableString, the rest UTF8String). Names say
// "simulated": the root is CN=simulated.nitro-enclaves, O=Simulated, and every CN ends in ".simulated…".
// The CRL distribution points of AWS's regional and zonal certificates are left out (there is no CRL).
// Certificates are built with pkijs + WebCrypto (@peculiar/x509 2.x needs a Reflect polyfill we do not ship).
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

export const SIMULATED_ROOT_COMMON_NAME = "simulated.nitro-enclaves";
export const SIMULATED_ORGANIZATION = "Simulated";
export const SIMULATED_UNIT = "nitro-eth-signer";

export type SimulatedLevel = "root" | "regional" | "zonal" | "instance" | "leaf";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Certificate lifetimes per level, as observed on AWS. */
export const SIMULATED_LIFETIMES_MS: Record<SimulatedLevel, number> = {
  root: 30 * 365 * DAY,
  regional: 20 * DAY,
  zonal: 6 * DAY,
  instance: DAY,
  leaf: 3 * HOUR,
};

const EC_P384 = { name: "ECDSA", namedCurve: "P-384" } as const;

export function generateP384KeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(EC_P384, true, ["sign", "verify"]) as Promise<CryptoKeyPair>;
}

export function importP384PrivateKey(pkcs8: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", new Uint8Array(pkcs8), EC_P384, true, ["sign"]);
}

/** Subject attributes per level, in AWS's order ([type, value]; country is a PrintableString). */
export function simulatedSubject(level: SimulatedLevel, name: { region: string; id: string }): [string, string][] {
  const O: [string, string] = ["2.5.4.10", SIMULATED_ORGANIZATION];
  const OU: [string, string] = ["2.5.4.11", SIMULATED_UNIT];
  const C: [string, string] = ["2.5.4.6", "US"];
  switch (level) {
    case "root":
      return [C, O, OU, ["2.5.4.3", SIMULATED_ROOT_COMMON_NAME]];
    case "regional":
      return [C, O, OU, ["2.5.4.3", `${name.id}.${name.region}.simulated.nitro-enclaves`]];
    case "zonal":
      return [["2.5.4.3", `${name.id}.zonal.${name.region}.simulated.nitro-enclaves`], OU, O, C, ["2.5.4.8", "WA"], ["2.5.4.7", "Seattle"]];
    case "instance":
      return [C, ["2.5.4.8", "Washington"], ["2.5.4.7", "Seattle"], O, OU, ["2.5.4.3", `${name.id}.${name.region}.simulated.nitro-enclaves`]];
    case "leaf":
      return [C, ["2.5.4.8", "Washington"], ["2.5.4.7", "Seattle"], O, OU, ["2.5.4.3", `${name.id}.${name.region}.simulated`]];
  }
}

export type IssueParameters = {
  level: SimulatedLevel;
  subject: [string, string][];
  publicKey: CryptoKey;
  /** The issuer's certificate and key; absent for the self-signed root. */
  issuer?: { certificate: Uint8Array; privateKey: CryptoKey };
  /** The root signs itself with this key. */
  selfKey?: CryptoKey;
  notBefore: number;
  /** Serial number bytes (RFC 5280 §4.1.2.2: positive, at most 20 octets); random 16 bytes when absent. */
  serial?: Uint8Array;
};

/** Issues one certificate of the simulated profile and returns its DER. */
export async function issueSimulatedCertificate(p: IssueParameters): Promise<Uint8Array> {
  const certificate = new pkijs.Certificate();
  certificate.version = 2; // v3 (RFC 5280 §4.1.2.1)
  certificate.serialNumber = new asn1js.Integer({ valueHex: positive(p.serial ?? randomSerial()) });
  certificate.subject = name(p.subject);
  const issuerCertificate = p.issuer ? parse(p.issuer.certificate) : undefined;
  certificate.issuer = issuerCertificate ? issuerCertificate.subject : name(p.subject);
  const notBefore = Math.floor(p.notBefore / 1000) * 1000;
  certificate.notBefore = time(notBefore);
  certificate.notAfter = time(notBefore + SIMULATED_LIFETIMES_MS[p.level]);
  await certificate.subjectPublicKeyInfo.importKey(p.publicKey);

  const ski = await keyIdentifier(certificate);
  const aki = issuerCertificate ? await keyIdentifier(issuerCertificate) : undefined;
  const ca = (pathLen?: number) => basicConstraints(true, pathLen);
  const caUsage = keyUsage([0, 5, 6], true); // digitalSignature, keyCertSign, cRLSign
  const extensions: Record<SimulatedLevel, () => pkijs.Extension[]> = {
    root: () => [ca(), subjectKeyId(ski), caUsage],
    regional: () => [ca(2), authorityKeyId(aki), subjectKeyId(ski), caUsage],
    zonal: () => [ca(1), authorityKeyId(aki), subjectKeyId(ski), caUsage],
    instance: () => [ca(0), keyUsage([5], true), subjectKeyId(ski), authorityKeyId(aki)],
    leaf: () => [basicConstraints(false), keyUsage([0, 1], false)], // digitalSignature, nonRepudiation
  };
  certificate.extensions = extensions[p.level]();

  const signingKey = p.issuer?.privateKey ?? p.selfKey;
  if (!signingKey) throw new TypeError("Cannot issue certificate: no signing key");
  await certificate.sign(signingKey, "SHA-384");
  return new Uint8Array(certificate.toSchema(true).toBER(false));
}

export function parse(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(der));
}

// RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value (no tag, length, unused bits).
async function keyIdentifier(certificate: pkijs.Certificate): Promise<Uint8Array> {
  const key = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(await crypto.subtle.digest("SHA-1", new Uint8Array(key)));
}

export function randomSerial(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(16));
}

// DER INTEGER (X.690 §8.3.2): minimal two's complement. Drop leading zero octets, then prefix one 0x00 when the
// top bit is set so the serial stays positive.
function positive(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.byteLength - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.byteLength === 0 ? new Uint8Array([1]) : bytes.subarray(start);
  if ((trimmed[0]! & 0x80) === 0) return trimmed;
  const out = new Uint8Array(trimmed.byteLength + 1);
  out.set(trimmed, 1);
  return out;
}

// RFC 5280 §4.1.2.4 Name: a SEQUENCE of RDNs, here (as AWS does) one attribute per RDN SET. pkijs would put
// every attribute into one multi-valued RDN, so the SEQUENCE is built here and handed to pkijs as parsed DER.
function name(attributes: [string, string][]): pkijs.RelativeDistinguishedNames {
  const rdns = attributes.map(([type, value]) => {
    const text = type === "2.5.4.6" ? new asn1js.PrintableString({ value }) : new asn1js.Utf8String({ value });
    return new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: text }).toSchema()] });
  });
  const der = new asn1js.Sequence({ value: rdns }).toBER(false);
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
function time(ms: number): pkijs.Time {
  const value = new Date(ms);
  return new pkijs.Time({ type: value.getUTCFullYear() < 2050 ? 0 : 1, value });
}

function basicConstraints(cA: boolean, pathLenConstraint?: number): pkijs.Extension {
  const value = new pkijs.BasicConstraints(cA ? (pathLenConstraint === undefined ? { cA } : { cA, pathLenConstraint }) : {});
  return new pkijs.Extension({ extnID: "2.5.29.19", critical: true, extnValue: value.toSchema().toBER(false), parsedValue: value });
}

/**
 * An RFC 5280 §4.2.1.3 KeyUsage extension with the named `bits` set (bit 0 = MSB of the first octet). DER drops
 * trailing zero bits (X.690 §11.2.2), so unusedBits counts the zero bits after the last set one.
 *
 * @example
 * ```ts
 * const caUsage = keyUsage([0, 5, 6], true); // digitalSignature, keyCertSign, cRLSign
 * ```
 */
export function keyUsage(bits: number[], critical: boolean): pkijs.Extension {
  const last = Math.max(...bits);
  const octets = new Uint8Array((last >> 3) + 1);
  for (const bit of bits) octets[bit >> 3]! |= 0x80 >> (bit & 7);
  const value = new asn1js.BitString({ valueHex: octets, unusedBits: 7 - (last & 7) });
  return new pkijs.Extension({ extnID: "2.5.29.15", critical, extnValue: value.toBER(false), parsedValue: value });
}

function subjectKeyId(ski: Uint8Array): pkijs.Extension {
  const value = new asn1js.OctetString({ valueHex: ski });
  return new pkijs.Extension({ extnID: "2.5.29.14", critical: false, extnValue: value.toBER(false), parsedValue: value });
}

function authorityKeyId(aki: Uint8Array | undefined): pkijs.Extension {
  if (!aki) throw new TypeError("Cannot issue certificate: authorityKeyIdentifier needs an issuer");
  const value = new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: aki }) });
  return new pkijs.Extension({ extnID: "2.5.29.35", critical: false, extnValue: value.toSchema().toBER(false), parsedValue: value });
}
