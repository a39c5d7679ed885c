import { encode } from "cborg";
import { hexToBytes } from "viem";
import { pemToDer } from "../../attestation/pem.ts";
import { createNsmClient } from "../create_nsm_client.ts";
import { createSimulatedPki, type SimulatedPki } from "./create_simulated_pki.ts";
import { decodeNsmRequest } from "./decode_nsm_request.ts";
import { encodeNsmResponse } from "./encode_nsm_response.ts";
import { importSimulatedPki } from "./import_simulated_pki.ts";
import type { Nsm, NsmDescription, NsmRequest, NsmResponse } from "../nsm.ts";
import { NsmError } from "../nsm_error.ts";
import {
  generateP384KeyPair,
  importP384PrivateKey,
  issueSimulatedCertificate,
  parse,
  SIMULATED_LIFETIMES_MS,
  simulatedSubject,
} from "./simulated_certificates.ts";

/** Options of `createSimulatedNsm()`. */
export type CreateSimulatedNsmOptions = {
  /** The PKI that signs documents. @default a fresh `createSimulatedPki()` */
  pki?: SimulatedPki;
  /**
   * PCR values by index (0..31), 48 bytes as hex or bytes (e.g. PCR0 of "the approved image").
   * @default all zero (like a debug enclave), except PCR4 = SHA-384(48 zero bytes ‖ instance id) as on AWS
   */
  pcrs?: Record<number, string | Uint8Array>;
  /** ms since the epoch, used for document timestamps and certificate validity. @default Date.now */
  clock?: () => number;
  /** 16 lowercase hex; module_id is `<instanceId>-enc<enclaveId>`. @default random, new per boot */
  enclaveId?: string;
};

/** A simulated NSM: an `Nsm` plus what tests and the local stack need to know about it. */
export type SimulatedNsm = Nsm & {
  readonly kind: "simulated";
  /** `<instanceId>-enc<enclaveId>`, e.g. `i-0123456789abcdef0-enc0123456789abcdef`. */
  readonly moduleId: string;
  /** The root to trust for this NSM's documents (`verifyAttestationDocument({ roots: [it] })`). */
  readonly rootCertificatePem: string;
  /** The simulated device itself: one CBOR request in, one CBOR response out, as `/dev/nsm` answers. */
  handle(request: Uint8Array): Promise<Uint8Array>;
};

/** PCRs 0..15 are locked at boot and reported in documents; 16..31 exist but stay unlocked (AWS NSM). */
const MAX_PCRS = 32;
const LOCKED_PCRS = 16;
/**
 * AWS's documented limits on the optional attestation fields (1024 bytes each, attestation document CDDL).
 * Real NSMs reportedly do not enforce them (only the driver's 0x1000-byte request limit); the simulated one
 * does, so a caller that would produce documents verifiers reject finds out locally.
 */
const LIMITS = { userData: 1024, nonce: 1024, publicKey: 1024 } as const;
/** COSE protected header {1: -35} (alg ES384), byte for byte as AWS sends it (RFC 8152 §3.1). */
const PROTECTED_ES384 = new Uint8Array([0xa1, 0x01, 0x38, 0x22]);
/** Re-issue the leaf when less than this remains, so a document never outlives its certificate by surprise. */
const LEAF_RENEW_MARGIN_MS = 30 * 60_000;

type Signer = { der: Uint8Array; key: CryptoKey; notBefore: number; notAfter: number };

/**
 * Creates a simulated NSM (DESIGN §5) whose documents mirror AWS's exactly: an untagged COSE_Sign1
 * `[h'a1013822', {}, payload, signature]` (RFC 8152 §4.2) signed ES384 (raw r‖s over `["Signature1",
 * protected, h'', payload]`, §4.4), the payload a definite-length map with AWS's keys in AWS's order
 * (module_id, digest "SHA384", timestamp ms, pcrs 0..15, certificate, cabundle [root, regional, zonal,
 * instance], public_key, user_data, nonce, absent ones null). Each boot makes a fresh leaf key and 3-hour
 * certificate, re-issued when it nears expiry; intermediates that no longer cover the clock are re-issued with
 * their own keys. Its chain ends at `CN=simulated.nitro-enclaves`, so real KMS rejects its documents.
 *
 * @example
 * ```ts
 * const nsm = await createSimulatedNsm({ pki, pcrs: { 0: approvedPcr0 } });
 * const document = await nsm.attest({ nonce });
 * await verifyAttestationDocument(document, { roots: [nsm.rootCertificatePem] });
 * ```
 */
export async function createSimulatedNsm(options: CreateSimulatedNsmOptions = {}): Promise<SimulatedNsm> {
  const clock = options.clock ?? Date.now;
  if (typeof clock !== "function") throw new TypeError("Cannot create simulated NSM: clock must be a function");
  const enclaveId = options.enclaveId ?? randomHex(16);
  if (!/^[0-9a-f]{16}$/.test(enclaveId)) throw new TypeError("Cannot create simulated NSM: enclaveId must be 16 lowercase hex");
  const pki = options.pki ? await importSimulatedPki(JSON.stringify(options.pki)) : await createSimulatedPki({ clock });
  const moduleId = `${pki.instanceId}-enc${enclaveId}`;
  const pcrs = await initialPcrs(pki.instanceId, options.pcrs ?? {});

  // The chain, with keys; intermediates are renewed in place (same key and subject, new validity).
  const levels = ["root", "regional", "zonal", "instance"] as const;
  const chain: Signer[] = [];
  for (const level of levels) {
    const der = pemToDer(pki[level].certificatePem, "CERTIFICATE");
    chain.push({ der, key: await importP384PrivateKey(pemToDer(pki[level].privateKeyPem, "PRIVATE KEY")), ...validity(der) });
  }
  let leaf: Signer | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  async function freshChain(now: number): Promise<{ leaf: Signer; cabundle: Uint8Array[] }> {
    const root = chain[0]!;
    if (now < root.notBefore || now > root.notAfter) throw new NsmError("InternalError", "simulated root is not valid now");
    for (let i = 1; i < chain.length; i++) {
      const current = chain[i]!;
      if (now >= current.notBefore && now + SIMULATED_LIFETIMES_MS.leaf <= current.notAfter) continue;
      const level = levels[i]!;
      const certificate = parse(current.der);
      const der = await issueSimulatedCertificate({
        level,
        subject: certificate.subject.typesAndValues.map((t) => [t.type, String(t.value.valueBlock.value)]),
        publicKey: await certificate.getPublicKey(),
        issuer: { certificate: chain[i - 1]!.der, privateKey: chain[i - 1]!.key },
        notBefore: now - 60_000,
      });
      chain[i] = { der, key: current.key, ...validity(der) };
    }
    if (!leaf || now < leaf.notBefore || now > leaf.notAfter - LEAF_RENEW_MARGIN_MS) {
      const keys = await generateP384KeyPair();
      // AWS leaf serials are the enclave id, four zero bytes, then the issue time in seconds.
      const serial = new Uint8Array(16);
      serial.set(hexToBytes(`0x${enclaveId}`), 0);
      new DataView(serial.buffer).setUint32(12, Math.floor(now / 1000));
      const der = await issueSimulatedCertificate({
        level: "leaf",
        subject: simulatedSubject("leaf", { region: pki.region, id: moduleId }),
        publicKey: keys.publicKey,
        issuer: { certificate: chain[chain.length - 1]!.der, privateKey: chain[chain.length - 1]!.key },
        notBefore: now,
        serial,
      });
      leaf = { der, key: keys.privateKey, ...validity(der) };
    }
    return { leaf, cabundle: chain.map((c) => c.der) };
  }

  async function attest(request: Extract<NsmRequest, { type: "Attestation" }>): Promise<Uint8Array> {
    const { userData, nonce, publicKey } = request;
    if (userData && userData.byteLength > LIMITS.userData) throw new NsmError("InputTooLarge", "user_data over 1024 bytes");
    if (nonce && nonce.byteLength > LIMITS.nonce) throw new NsmError("InputTooLarge", "nonce over 1024 bytes");
    if (publicKey && publicKey.byteLength > LIMITS.publicKey) throw new NsmError("InputTooLarge", "public_key over 1024 bytes");
    if (publicKey && publicKey.byteLength === 0) throw new NsmError("InvalidArgument", "public_key is empty");
    const now = Math.floor(clock());
    const signer = await freshChain(now);
    const payload = encode(
      new Map<string, unknown>([
        ["module_id", moduleId],
        ["digest", "SHA384"],
        ["timestamp", now],
        ["pcrs", new Map([...pcrs.entries()].filter(([index]) => index < LOCKED_PCRS))],
        ["certificate", signer.leaf.der],
        ["cabundle", signer.cabundle],
        ["public_key", publicKey],
        ["user_data", userData],
        ["nonce", nonce],
      ]),
      { mapSorter: () => 0 }, // keep AWS's field order (serde struct order), not cborg's canonical sort
    );
    const toBeSigned = encode(["Signature1", PROTECTED_ES384, new Uint8Array(0), payload]);
    const signature = new Uint8Array(
      await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-384" }, signer.leaf.key, new Uint8Array(toBeSigned)),
    );
    return encode([PROTECTED_ES384, new Map(), payload, signature]);
  }

  const description: NsmDescription = {
    versionMajor: 1,
    versionMinor: 0,
    versionPatch: 0,
    moduleId,
    maxPcrs: MAX_PCRS,
    lockedPcrs: Array.from({ length: LOCKED_PCRS }, (_, i) => i),
    digest: "SHA384",
  };

  async function answer(request: NsmRequest): Promise<NsmResponse> {
    switch (request.type) {
      case "GetRandom":
        return { type: "GetRandom", random: crypto.getRandomValues(new Uint8Array(256)) };
      case "DescribeNSM":
        return { type: "DescribeNSM", description: { ...description, lockedPcrs: [...description.lockedPcrs] } };
      case "DescribePCR": {
        const data = pcrs.get(request.index);
        if (!data) throw new NsmError("InvalidIndex", `PCR ${request.index} does not exist`);
        return { type: "DescribePCR", lock: request.index < LOCKED_PCRS, data: data.slice() };
      }
      case "Attestation": {
        // One attestation at a time, so leaf renewal never races.
        const next = queue.then(() => attest(request));
        queue = next.catch(() => undefined);
        return { type: "Attestation", document: await next };
      }
    }
  }

  async function handle(request: Uint8Array): Promise<Uint8Array> {
    try {
      return encodeNsmResponse(await answer(decodeNsmRequest(request)));
    } catch (error) {
      return encodeNsmResponse({ type: "Error", code: error instanceof NsmError ? error.reason : "InternalError" });
    }
  }

  const client = createNsmClient(handle, { kind: "simulated" });
  return { ...client, kind: "simulated", moduleId, rootCertificatePem: pki.root.certificatePem, handle };
}

async function initialPcrs(instanceId: string, overrides: Record<number, string | Uint8Array>): Promise<Map<number, Uint8Array>> {
  const pcrs = new Map<number, Uint8Array>();
  for (let i = 0; i < MAX_PCRS; i++) pcrs.set(i, new Uint8Array(48));
  // PCR4 = SHA-384(PCR4 initial zeros ‖ UTF-8 instance id): the extend of the parent instance id (AWS).
  const id = new TextEncoder().encode(instanceId);
  const extend = new Uint8Array(48 + id.byteLength);
  extend.set(id, 48);
  pcrs.set(4, new Uint8Array(await crypto.subtle.digest("SHA-384", extend)));
  if (typeof overrides !== "object" || overrides === null) throw new TypeError("Cannot create simulated NSM: pcrs must be an object");
  for (const [key, value] of Object.entries(overrides)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= MAX_PCRS) throw new RangeError(`Cannot set PCR${key}: index must be 0..31`);
    const bytes = typeof value === "string" ? hexPcr(value, index) : value;
    if (!(bytes instanceof Uint8Array) || bytes.byteLength !== 48) throw new TypeError(`Cannot set PCR${index}: must be 48 bytes`);
    pcrs.set(index, bytes.slice());
  }
  return pcrs;
}

function hexPcr(text: string, index: number): Uint8Array {
  const hex = text.replace(/^0x/i, "");
  if (!/^[0-9a-fA-F]{96}$/.test(hex)) throw new TypeError(`Cannot set PCR${index}: must be 96 hex digits`);
  return hexToBytes(`0x${hex}`);
}

function validity(der: Uint8Array): { notBefore: number; notAfter: number } {
  const certificate = parse(der);
  return { notBefore: certificate.notBefore.value.getTime(), notAfter: certificate.notAfter.value.getTime() };
}

function randomHex(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length / 2));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
