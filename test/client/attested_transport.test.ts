import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  createPublicClient, createWalletClient, type Hex, parseEther, recoverMessageAddress, recoverTransactionAddress, verifyTypedData,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { attestedTransport, type AttestedTransportOptions } from "../../client/mod.ts";
import { type ClientStack, mail, recipient, refusal, replayAttestation, type Rewrite, startClientStack, startMiddlebox } from "./client_fixture.ts";

// viem as users run it, on attestedTransport, against `npm start`'s stack (Anvil, the KMS stand-in, the Deno signer
// with the simulated NSM, the proxy). A refused attestation must stop every signing call before it reaches the
// signer: the account's nonce and the proxy's sign.* round trips stay where they were.
let stack: ClientStack;
test.before(async () => {
  stack = await startClientStack();
});
test.after(() => stack.stop());

const good = (): AttestedTransportOptions => ({ pcrs: { 0: stack.pcr0 }, root: stack.rootPem });
const wallet = (url: string, options: AttestedTransportOptions) =>
  createWalletClient({ account: stack.account, chain: foundry, transport: attestedTransport(url, options) });

/** Every signing call of a wallet client, each expected to be refused with `code`. */
async function everySigningCallRefused(url: string, options: AttestedTransportOptions, code: string): Promise<void> {
  const before = await stack.snapshot();
  const client = wallet(url, options);
  const calls: [string, () => Promise<unknown>][] = [
    ["sendTransaction", () => client.sendTransaction({ to: recipient, value: 1n })],
    ["signMessage", () => client.signMessage({ message: "hello" })],
    ["signTypedData", () => client.signTypedData({ ...mail, primaryType: "Mail" })],
    ["signTransaction", () => client.signTransaction({ to: recipient, value: 1n })],
  ];
  for (const [name, call] of calls) {
    const error = await refusal(call, name);
    assert.is(error.code, code, `${name}: ${error.message}`);
  }
  assert.equal(await stack.snapshot(), before, "a refused signing call reached the signer");
}

test("attestedTransport: verified, a wallet client sends a transaction that is mined, signs a message and typed data", async () => {
  let attestations = 0;
  const box = await startMiddlebox(stack.url, (call, reply) => (call.method === "signer_attestation" && attestations++, reply));
  try {
    const client = wallet(box.url, { ...good(), maxAgeMs: 1_500 });
    const reader = createPublicClient({ chain: foundry, transport: attestedTransport(box.url, good()) });
    assert.ok((await reader.getBalance({ address: stack.account })) > 0n);
    assert.is(attestations, 0, "a read asked for an attestation");

    const hash = await client.sendTransaction({ to: recipient, value: parseEther("0.5") });
    const receipt = await reader.waitForTransactionReceipt({ hash, pollingInterval: 50 });
    assert.is(receipt.status, "success");
    assert.is(receipt.from.toLowerCase(), stack.account.toLowerCase());

    const signature = await client.signMessage({ message: "hello from an attested viem" });
    assert.is(await recoverMessageAddress({ message: "hello from an attested viem", signature }), stack.account);
    const typed = await client.signTypedData({ ...mail, primaryType: "Mail" });
    assert.ok(await verifyTypedData({ ...mail, primaryType: "Mail", address: stack.account, signature: typed }));
    const raw = await client.signTransaction({ to: recipient, value: 1n });
    assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), stack.account);
    assert.is(attestations, 1, "one verification for the first signing calls");

    // Older than maxAgeMs: the next signing call verifies again.
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    await client.signMessage({ message: "later" });
    assert.is(attestations, 2, "no new verification after maxAgeMs");
  } finally {
    await box.stop();
  }
});

test("attestedTransport: concurrent signing calls share one verification", async () => {
  let attestations = 0;
  const box = await startMiddlebox(stack.url, (call, reply) => (call.method === "signer_attestation" && attestations++, reply));
  try {
    const client = wallet(box.url, good());
    await Promise.all([1, 2, 3].map((i) => client.signMessage({ message: `concurrent ${i}` })));
    assert.is(attestations, 1);
  } finally {
    await box.stop();
  }
});

test("attestedTransport: an eth_accounts answer that differs from the attested accounts makes the next signing verify again", async () => {
  let attestations = 0;
  let extra: Hex | undefined;
  const box = await startMiddlebox(stack.url, (call, reply) => {
    if (call.method === "signer_attestation") attestations++;
    if (call.method === "eth_accounts" && extra && Array.isArray(reply.result)) return { ...reply, result: [...reply.result, extra] };
    // …and vouches for it when asked for its policy, as the real signer would for an unrestricted key.
    if (call.method === "signer_policy" && extra && call.params?.[0] === extra) return { id: reply.id, result: { account: extra, kind: "unrestricted", digest: null } };
    return reply;
  });
  try {
    const client = wallet(box.url, good());
    await client.signMessage({ message: "one" });
    extra = privateKeyToAccount(generatePrivateKey()).address;
    await client.getAddresses(); // the proxy now lists an account the attestation did not cover
    // …and the re-verification finds the middlebox's account is not bound in user_data.
    const error = await refusal(() => client.signMessage({ message: "two" }), "signMessage");
    assert.is(error.code, "accounts");
    assert.is(attestations, 2);
  } finally {
    await box.stop();
  }
});

test("attestedTransport: a wrong PCR0 stops every signing call before the signer", async () => {
  await everySigningCallRefused(stack.url, { ...good(), pcrs: { 0: "ab".repeat(48) } }, "pcr");
});

test("attestedTransport: a wrong root (the AWS default, for the local stack's simulated PKI) stops every signing call", async () => {
  const { root: _root, ...options } = good();
  await everySigningCallRefused(stack.url, options, "chain");
});

test("attestedTransport: an expired document (the client's clock an hour past it) stops every signing call", async () => {
  await everySigningCallRefused(stack.url, { ...good(), clock: () => Date.now() + 3_600_000 }, "expired");
});

test("attestedTransport: a middlebox replaying an earlier document (its nonce) stops every signing call", async () => {
  const box = await startMiddlebox(stack.url, replayAttestation());
  try {
    await wallet(box.url, good()).signMessage({ message: "recorded" }); // the middlebox records this document
    await everySigningCallRefused(box.url, good(), "nonce");
  } finally {
    await box.stop();
  }
});

test("attestedTransport: a middlebox that swaps the signature of personal_sign, eth_signTypedData_v4 or eth_signTransaction is caught", async () => {
  const other = privateKeyToAccount(generatePrivateKey());
  const swap: Rewrite = async (call, reply) => {
    if (reply.error) return reply;
    if (call.method === "personal_sign") return { ...reply, result: await other.signMessage({ message: { raw: call.params![0] as Hex } }) };
    if (call.method === "eth_signTypedData_v4") return { ...reply, result: await other.signTypedData({ ...mail, primaryType: "Mail" }) };
    if (call.method === "eth_signTransaction") return { ...reply, result: await other.signTransaction({ to: recipient, value: 1n, chainId: 31337, gas: 21_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n }) };
    return reply;
  };
  const box = await startMiddlebox(stack.url, swap);
  try {
    const client = wallet(box.url, good());
    for (const [name, call] of [
      ["signMessage", () => client.signMessage({ message: "swap me" })],
      ["signTypedData", () => client.signTypedData({ ...mail, primaryType: "Mail" })],
      ["signTransaction", () => client.signTransaction({ to: recipient, value: 1n })],
    ] as const) {
      const error = await refusal(call, name);
      assert.is(error.code, "signature", `${name}: ${error.message}`);
      assert.match(error.message, other.address);
    }
  } finally {
    await box.stop();
  }
});

test.run();
