import { test } from "uvu";
import * as assert from "uvu/assert";
import { decode } from "cborg";
import * as pkijs from "pkijs";
import { verifyAttestationDocument } from "../../../../signer/attestation/verify_attestation_document.ts";
import { createSimulatedPki } from "../../../../signer/nsm/simulated/create_simulated_pki.ts";
import { exportSimulatedPki } from "../../../../signer/nsm/simulated/export_simulated_pki.ts";
import { importSimulatedPki } from "../../../../signer/nsm/simulated/import_simulated_pki.ts";
import { createSimulatedNsm } from "../../../../signer/nsm/simulated/nsm_simulated.ts";
import { NsmError } from "../../../../signer/nsm/nsm_error.ts";
import { HAVE_NITRO_FIXTURES, readRealDocument, REAL_DOCUMENTS } from "../../attestation/fixtures.ts";
import { runNsmContract } from "../nsm_contract.ts";

runNsmContract({
  name: "simulated",
  make: async () => {
    const nsm = await createSimulatedNsm();
    return { nsm, roots: [nsm.rootCertificatePem] };
  },
});

const HOUR = 3_600_000;
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const cert = (der: Uint8Array) => pkijs.Certificate.fromBER(new Uint8Array(der));
type Parsed = { outer: unknown[]; payloadBytes: Uint8Array; payload: Map<string, unknown> };
function parseDocument(document: Uint8Array): Parsed {
  const outer = decode(document, { useMaps: true }) as unknown[];
  const payloadBytes = outer[2] as Uint8Array;
  return { outer, payloadBytes, payload: decode(payloadBytes, { useMaps: true }) as Map<string, unknown> };
}

test("createSimulatedNsm() documents mirror AWS's COSE_Sign1 shape byte for byte", async () => {
  const nsm = await createSimulatedNsm();
  const document = await nsm.attest();
  // 84 (array 4) 44 a1013822 (protected {1: -35}) a0 (unprotected {}) 59 xxxx (payload bstr) … 5860 (96-byte sig)
  assert.is(hex(document.subarray(0, 8)), "8444a1013822a059");
  assert.is(hex(document.subarray(document.length - 98, document.length - 96)), "5860");
  const { payload } = parseDocument(document);
  assert.equal([...payload.keys()], ["module_id", "digest", "timestamp", "pcrs", "certificate", "cabundle", "public_key", "user_data", "nonce"]);
  assert.is(payload.get("digest"), "SHA384");
  assert.equal([...(payload.get("pcrs") as Map<number, Uint8Array>).keys()], Array.from({ length: 16 }, (_, i) => i));
  assert.is((payload.get("cabundle") as unknown[]).length, 4);
  assert.is(payload.get("nonce"), null);
});

(HAVE_NITRO_FIXTURES ? test : test.skip)("createSimulatedNsm() payload keys and COSE header equal a real document's", async () => {
  const real = parseDocument(readRealDocument(REAL_DOCUMENTS[0]!.file));
  const simulated = parseDocument(await (await createSimulatedNsm()).attest());
  assert.equal([...simulated.payload.keys()], [...real.payload.keys()]);
  assert.equal(simulated.outer[0], real.outer[0]);
  assert.equal(simulated.outer[1], real.outer[1]);
});

// The certificate profile per level, as a comparable summary: extension OIDs in order with criticality,
// basicConstraints and keyUsage bits, key and signature algorithms, subject attribute types.
function profile(der: Uint8Array) {
  const c = cert(der);
  return {
    version: c.version,
    signature: c.signatureAlgorithm.algorithmId,
    key: (c.subjectPublicKeyInfo.algorithm.algorithmParams as { valueBlock: { toString(): string } }).valueBlock.toString(),
    subject: c.subject.typesAndValues.map((t) => `${t.type}:${t.value.idBlock.tagNumber}`),
    rdns: (c.subject.toSchema().valueBlock.value as unknown[]).length,
    extensions: (c.extensions ?? []).map((e) => {
      const p = e.parsedValue as { cA?: boolean; pathLenConstraint?: number; valueBlock?: { valueHexView: Uint8Array; unusedBits: number } };
      const detail = e.extnID === "2.5.29.19" ? `cA=${p.cA ?? false} pathLen=${p.pathLenConstraint ?? "-"}`
        : e.extnID === "2.5.29.15" ? `bits=${hex(p.valueBlock!.valueHexView)}/${p.valueBlock!.unusedBits}` : "";
      return `${e.extnID}${e.critical ? "!" : ""} ${detail}`.trim();
    }).filter((e) => !e.startsWith("2.5.29.31")), // AWS's CRL distribution points: not simulated
    lifetimeHours: Math.round((c.notAfter.value.getTime() - c.notBefore.value.getTime()) / HOUR),
  };
}

(HAVE_NITRO_FIXTURES ? test : test.skip)("createSimulatedNsm() certificate chain copies the AWS profile level by level", async () => {
  const real = parseDocument(readRealDocument(REAL_DOCUMENTS[0]!.file)).payload;
  const simulated = parseDocument(await (await createSimulatedNsm()).attest()).payload;
  const chain = (p: Map<string, unknown>) => [...(p.get("cabundle") as Uint8Array[]), p.get("certificate") as Uint8Array];
  const realChain = chain(real).map(profile);
  const simulatedChain = chain(simulated).map(profile);
  for (const [i, level] of ["root", "regional", "zonal", "instance", "leaf"].entries()) {
    const { lifetimeHours: realLife, ...realRest } = realChain[i]!;
    const { lifetimeHours: simLife, ...simRest } = simulatedChain[i]!;
    assert.equal(simRest, realRest, level);
    if (level === "leaf" || level === "instance") assert.is(simLife, realLife, `${level} lifetime`);
  }
});

test("createSimulatedNsm() documents say they are simulated (root CN simulated.nitro-enclaves)", async () => {
  const nsm = await createSimulatedNsm();
  const root = cert((parseDocument(await nsm.attest()).payload.get("cabundle") as Uint8Array[])[0]!);
  const cn = root.subject.typesAndValues.find((t) => t.type === "2.5.4.3")!;
  assert.is(cn.value.valueBlock.value, "simulated.nitro-enclaves");
  assert.match(nsm.moduleId, /^i-[0-9a-f]{17}-enc[0-9a-f]{16}$/);
});

test("createSimulatedNsm() uses configured PCRs (approved image or not)", async () => {
  const pcr0 = "12".repeat(48);
  const nsm = await createSimulatedNsm({ pcrs: { 0: pcr0, 8: new Uint8Array(48).fill(8), 20: "34".repeat(48) } });
  assert.is(hex((await nsm.describePcr(0)).data), pcr0);
  assert.equal(await nsm.describePcr(20), { lock: false, data: new Uint8Array(48).fill(0x34) });
  const parsed = await verifyAttestationDocument(await nsm.attest(), { roots: [nsm.rootCertificatePem], expect: { pcrs: { 0: pcr0 } } });
  assert.is(hex(parsed.pcrs[8]!), "08".repeat(48));
  assert.is(parsed.pcrs[20], undefined, "only locked PCRs 0..15 are in documents");
  assert.is(hex((await (await createSimulatedNsm()).describePcr(0)).data), "00".repeat(48));
});

test("createSimulatedNsm() enforces AWS's documented 1024-byte field limits with InputTooLarge", async () => {
  const nsm = await createSimulatedNsm();
  for (const options of [{ userData: new Uint8Array(1025) }, { nonce: new Uint8Array(1025) }, { publicKey: new Uint8Array(1025) }]) {
    try {
      await nsm.attest(options);
      assert.unreachable("should throw");
    } catch (error) {
      assert.instance(error, NsmError);
      assert.is((error as NsmError).reason, "InputTooLarge");
    }
  }
  await verifyAttestationDocument(await nsm.attest({ userData: new Uint8Array(1024), nonce: new Uint8Array(1024) }), { roots: [nsm.rootCertificatePem] });
});

test("createSimulatedNsm() refuses bad options", async () => {
  for (const options of [{ pcrs: { 0: "12" } }, { pcrs: { 32: "00".repeat(48) } }, { enclaveId: "xyz" }]) {
    try {
      await createSimulatedNsm(options);
      assert.unreachable("should throw");
    } catch (error) {
      assert.ok(error instanceof TypeError || error instanceof RangeError, String(error));
    }
  }
});

test("createSimulatedNsm() makes a fresh 3-hour leaf per boot and renews it as the clock moves", async () => {
  let now = Date.parse("2026-05-01T00:00:00Z");
  const pki = await createSimulatedPki({ clock: () => now });
  const a = await createSimulatedNsm({ pki, clock: () => now, enclaveId: "0123456789abcdef" });
  const b = await createSimulatedNsm({ pki, clock: () => now });
  const leaf = async (nsm: typeof a) => parseDocument(await nsm.attest()).payload.get("certificate") as Uint8Array;
  const first = await leaf(a);
  assert.is.not(hex(first), hex(await leaf(b)), "each boot has its own leaf");
  assert.is(hex(await leaf(a)), hex(first), "same boot, same leaf");
  assert.is(cert(first).serialNumber.valueBlock.valueHexView.length, 16);
  assert.match(hex(cert(first).serialNumber.valueBlock.valueHexView), /^0123456789abcdef00000000/);

  now += 2 * HOUR + 45 * 60_000; // within 30 minutes of expiry
  const renewed = await a.attest();
  assert.is.not(hex(parseDocument(renewed).payload.get("certificate") as Uint8Array), hex(first));
  await verifyAttestationDocument(renewed, { roots: [a.rootCertificatePem], at: now });

  now += 45 * 24 * HOUR; // every intermediate has expired: re-issued under the same root
  const later = await a.attest();
  await verifyAttestationDocument(later, { roots: [pki.root.certificatePem], at: now });
});

test("exportSimulatedPki() / importSimulatedPki() round-trip as JSON and keep signing for the same root", async () => {
  const pki = await createSimulatedPki({ region: "eu-central-1", instanceId: "i-0123456789abcdef0" });
  const json = exportSimulatedPki(pki);
  const parsed = JSON.parse(json);
  assert.is(parsed.format, "nitro-eth-signer/simulated-nitro-pki@1");
  assert.match(parsed.root.certificatePem, /^-----BEGIN CERTIFICATE-----/);
  assert.match(parsed.instance.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  const imported = await importSimulatedPki(json);
  assert.equal(imported, pki);
  const nsm = await createSimulatedNsm({ pki: imported });
  assert.match(nsm.moduleId, /^i-0123456789abcdef0-enc/);
  await verifyAttestationDocument(await nsm.attest(), { roots: [pki.root.certificatePem] });
});

test("importSimulatedPki() refuses broken or mismatched input", async () => {
  const a = await createSimulatedPki();
  const b = await createSimulatedPki();
  const bad = [
    "not json",
    JSON.stringify({ ...a, format: "other" }),
    JSON.stringify({ ...a, instanceId: "x" }),
    JSON.stringify({ ...a, zonal: { certificatePem: a.zonal.certificatePem, privateKeyPem: b.zonal.privateKeyPem } }),
    JSON.stringify({ ...a, zonal: b.zonal }),
    JSON.stringify({ ...a, root: { certificatePem: "x", privateKeyPem: a.root.privateKeyPem } }),
  ];
  for (const json of bad) {
    try {
      await importSimulatedPki(json);
      assert.unreachable(`accepted ${json.slice(0, 40)}`);
    } catch (error) {
      assert.instance(error, TypeError);
    }
  }
});

test.run();
