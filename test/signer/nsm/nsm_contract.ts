// The contract every `Nsm` implementation passes (STYLE §5, Hono-style `runNsmContract({ make })`).
// Not a test file by itself: simulated/nsm_simulated.test.ts and nsm_device.test.ts run it.
import { createHash } from "node:crypto";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { verifyAttestationDocument } from "../../../signer/attestation/verify_attestation_document.ts";
import type { Nsm } from "../../../signer/nsm/nsm.ts";
import { NsmError } from "../../../signer/nsm/nsm_error.ts";

export type NsmUnderTest = {
  nsm: Nsm;
  /** Roots its documents chain to (PEM). */
  roots: string[];
  /** The verification time for its documents. @default now */
  at?: number;
};

export type NsmContractOptions = { name: string; make: () => Promise<NsmUnderTest> };

async function rejectsWith(fn: () => Promise<unknown>, check: (error: unknown) => boolean, what: string): Promise<void> {
  try {
    await fn();
  } catch (error) {
    assert.ok(check(error), `${what}: got ${String(error)}`);
    return;
  }
  assert.unreachable(`expected ${what}`);
}

const nsmError = (reason: string) => (e: unknown) => e instanceof NsmError && e.reason === reason;

export function runNsmContract({ name, make }: NsmContractOptions): void {
  const contract = suite<{ under?: NsmUnderTest }>(`Nsm contract: ${name}`, {});
  contract.before(async (context) => {
    context.under = await make();
  });
  const get = (context: { under?: NsmUnderTest }) => context.under!;

  contract("kind is device or simulated", (context) => {
    assert.ok(["device", "simulated"].includes(get(context).nsm.kind));
  });

  contract("describe() reports a module id, SHA384 and locked PCRs 0..15", async (context) => {
    const description = await get(context).nsm.describe();
    assert.match(description.moduleId, /^i-[0-9a-f]+-enc[0-9a-f]+$/);
    assert.is(description.digest, "SHA384");
    assert.ok(description.maxPcrs >= 16);
    for (let i = 0; i < 16; i++) assert.ok(description.lockedPcrs.includes(i), `PCR${i} locked`);
  });

  contract("getRandom() returns fresh entropy", async (context) => {
    const a = await get(context).nsm.getRandom();
    const b = await get(context).nsm.getRandom();
    assert.ok(a.byteLength > 0 && a.byteLength <= 256);
    assert.is.not(Buffer.from(a).toString("hex"), Buffer.from(b).toString("hex"));
  });

  contract("describePcr() returns locked 48-byte PCRs, PCR4 = SHA-384(zeros ‖ instance id)", async (context) => {
    const { nsm } = get(context);
    const pcr0 = await nsm.describePcr(0);
    assert.is(pcr0.lock, true);
    assert.is(pcr0.data.byteLength, 48);
    const instanceId = (await nsm.describe()).moduleId.split("-enc")[0]!;
    const expected = createHash("sha384").update(Buffer.concat([Buffer.alloc(48), Buffer.from(instanceId)])).digest("hex");
    assert.is(Buffer.from((await nsm.describePcr(4)).data).toString("hex"), expected);
  });

  contract("describePcr() of a PCR that does not exist fails with InvalidIndex", async (context) => {
    const { nsm } = get(context);
    const { maxPcrs } = await nsm.describe();
    await rejectsWith(() => nsm.describePcr(maxPcrs), nsmError("InvalidIndex"), "NsmError InvalidIndex");
  });

  contract("describePcr() refuses an index that is not a u16 before calling the NSM", async (context) => {
    const { nsm } = get(context);
    for (const index of [-1, 1.5, 0x10000]) await rejectsWith(() => nsm.describePcr(index), (e) => e instanceof RangeError, "RangeError");
  });

  contract("attest() returns a verifiable document carrying the request's fields", async (context) => {
    const { nsm, roots, at } = get(context);
    const nonce = crypto.getRandomValues(new Uint8Array(32));
    const userData = new TextEncoder().encode("contract");
    const publicKey = crypto.getRandomValues(new Uint8Array(294));
    const document = await nsm.attest({ nonce, userData, publicKey });
    const parsed = await verifyAttestationDocument(document, { roots, at: at ?? Date.now(), expect: { nonce, userData } });
    assert.equal(parsed.publicKey, publicKey);
    assert.is(parsed.moduleId, (await nsm.describe()).moduleId);
    for (const i of [0, 1, 2, 3, 4, 8]) assert.equal(parsed.pcrs[i], (await nsm.describePcr(i)).data, `PCR${i}`);
  });

  contract("attest() without options sends nulls and gets nulls back", async (context) => {
    const { nsm, roots, at } = get(context);
    const parsed = await verifyAttestationDocument(await nsm.attest(), { roots, at: at ?? Date.now() });
    assert.is(parsed.nonce, null);
    assert.is(parsed.userData, null);
    assert.is(parsed.publicKey, null);
  });

  contract("attest() refuses a request over the driver's 0x1000-byte limit with InputTooLarge", async (context) => {
    const { nsm } = get(context);
    await rejectsWith(() => nsm.attest({ userData: new Uint8Array(5000) }), nsmError("InputTooLarge"), "InputTooLarge");
  });

  contract("attest() checks its arguments", async (context) => {
    const { nsm } = get(context);
    await rejectsWith(() => nsm.attest({ nonce: "abc" as unknown as Uint8Array }), (e) => e instanceof TypeError, "TypeError");
  });

  contract.run();
}
