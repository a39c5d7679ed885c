import { test } from "uvu";
import * as assert from "uvu/assert";
import { Transaction, verifyMessage, verifyTypedData, Wallet } from "ethers";
import type { Hex } from "viem";
import { attestedProvider, type AttestedProviderOptions } from "../../client/mod.ts";
import { type ClientStack, mail, recipient, refusal, replayAttestation, type Rewrite, startClientStack, startMiddlebox } from "./client_fixture.ts";

// ethers v6 as users run it (JsonRpcProvider with its default batching, getSigner(address)), on attestedProvider,
// against `npm start`'s stack. The same cases as attestedTransport's viem test.
let stack: ClientStack;
test.before(async () => {
  stack = await startClientStack();
});
test.after(() => stack.stop());

const good = (): AttestedProviderOptions => ({ pcrs: { 0: stack.pcr0 }, root: stack.rootPem, providerOptions: { pollingInterval: 50 } });

async function withSigner<T>(url: string, options: AttestedProviderOptions, use: (signer: Awaited<ReturnType<ReturnType<typeof attestedProvider>["getSigner"]>>) => Promise<T>): Promise<T> {
  const provider = attestedProvider(url, options);
  try {
    return await use(await provider.getSigner(stack.account));
  } finally {
    provider.destroy();
  }
}

async function everySigningCallRefused(url: string, options: AttestedProviderOptions, code: string): Promise<void> {
  const before = await stack.snapshot();
  await withSigner(url, options, async (signer) => {
    const calls: [string, () => Promise<unknown>][] = [
      ["sendTransaction", () => signer.sendTransaction({ to: recipient, value: 1n })],
      ["signMessage", () => signer.signMessage("hello")],
      ["signTypedData", () => signer.signTypedData(mail.domain, mail.types, mail.message)],
      ["signTransaction", () => signer.signTransaction({ to: recipient, value: 1n })],
    ];
    for (const [name, call] of calls) {
      const error = await refusal(call, name);
      assert.is(error.code, code, `${name}: ${error.message}`);
    }
  });
  assert.equal(await stack.snapshot(), before, "a refused signing call reached the signer");
}

test("attestedProvider: verified, getSigner(address) sends a transaction that is mined, signs a message and typed data", async () => {
  let attestations = 0;
  const box = await startMiddlebox(stack.url, (call, reply) => (call.method === "signer_attestation" && attestations++, reply));
  try {
    await withSigner(box.url, good(), async (signer) => {
      assert.ok((await signer.provider.getBalance(stack.account)) > 0n);
      assert.is(attestations, 0, "a read asked for an attestation");
      const response = await signer.sendTransaction({ to: recipient, value: 12345n });
      const receipt = await response.wait();
      assert.is(receipt?.status, 1);
      assert.is(receipt?.from, stack.account);
      const signature = await signer.signMessage("hello from an attested ethers");
      assert.is(verifyMessage("hello from an attested ethers", signature), stack.account);
      const typed = await signer.signTypedData(mail.domain, mail.types, mail.message);
      assert.is(verifyTypedData(mail.domain, mail.types, mail.message, typed), stack.account);
      const raw = await signer.signTransaction({ to: recipient, value: 1n });
      assert.is(Transaction.from(raw).from, stack.account);
      assert.is(attestations, 1, "one verification for every signing call");
    });
  } finally {
    await box.stop();
  }
});

test("attestedProvider: a wrong PCR0 stops every signing call before the signer", async () => {
  await everySigningCallRefused(stack.url, { ...good(), pcrs: { 0: "ab".repeat(48) } }, "pcr");
});

test("attestedProvider: a wrong root (the AWS default, for the local stack's simulated PKI) stops every signing call", async () => {
  const { root: _root, ...options } = good();
  await everySigningCallRefused(stack.url, options, "chain");
});

test("attestedProvider: an expired document (the client's clock an hour past it) stops every signing call", async () => {
  await everySigningCallRefused(stack.url, { ...good(), clock: () => Date.now() + 3_600_000 }, "expired");
});

test("attestedProvider: a middlebox replaying an earlier document (its nonce) stops every signing call", async () => {
  const box = await startMiddlebox(stack.url, replayAttestation());
  try {
    await withSigner(box.url, good(), (signer) => signer.signMessage("recorded"));
    await everySigningCallRefused(box.url, good(), "nonce");
  } finally {
    await box.stop();
  }
});

test("attestedProvider: a middlebox that swaps the signature of personal_sign, eth_signTypedData_v4 or eth_signTransaction is caught", async () => {
  const other = Wallet.createRandom();
  const swap: Rewrite = async (call, reply) => {
    if (reply.error) return reply;
    if (call.method === "personal_sign") return { ...reply, result: await other.signMessage(Buffer.from((call.params![0] as string).slice(2), "hex")) };
    if (call.method === "eth_signTypedData_v4") return { ...reply, result: await other.signTypedData(mail.domain, mail.types, mail.message) };
    if (call.method === "eth_signTransaction") return { ...reply, result: await other.signTransaction({ to: recipient, value: 1n, chainId: 31337, gasLimit: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }) };
    return reply;
  };
  const box = await startMiddlebox(stack.url, swap);
  try {
    await withSigner(box.url, good(), async (signer) => {
      for (const [name, call] of [
        ["signMessage", () => signer.signMessage("swap me")],
        ["signTypedData", () => signer.signTypedData(mail.domain, mail.types, mail.message)],
        ["signTransaction", () => signer.signTransaction({ to: recipient, value: 1n })],
      ] as const) {
        const error = await refusal(call, name);
        assert.is(error.code, "signature", `${name}: ${error.message}`);
        assert.match(error.message, other.address as Hex);
      }
    });
  } finally {
    await box.stop();
  }
});

test.run();
