import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { JsonRpcProvider, Signature, Transaction, verifyMessage, verifyTypedData } from "ethers";
import {
  bytesToHex, createPublicClient, createWalletClient, http, parseEther, parseTransaction, recoverMessageAddress,
  recoverTransactionAddress, verifyTypedData as viemVerifyTypedData, type Hex,
} from "viem";
import { foundry } from "viem/chains";
import { binaryPath } from "../../local/binaries_node.ts";
import { accountsDigest } from "../../signer/attestation/accounts_digest.ts";
import { call } from "../helpers/rpc.ts";
import { startTestStack } from "../helpers/test_stack.ts";
import { mail } from "../helpers/ether_mail.ts";

// Real clients as users run them against the whole local stack (Anvil, KMS and Secrets Manager stand-ins, the
// Deno signer with the simulated NSM, the proxy): viem with a JSON-RPC account, ethers v6 with its default
// request batching, Foundry's cast, and a client checking the signer's attestation with the CLI.
const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
let stack: Awaited<ReturnType<typeof startTestStack>>;
let account: Hex;
const lines: string[] = [];
const recipient: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

test.before(async () => {
  stack = await startTestStack({ proxy: { log: (line) => lines.push(line) } });
  account = stack.accounts[0]!;
});
test.after(() => stack.stop());

test("viem wallet client, JSON-RPC account: sendTransaction, signMessage, signTypedData, signTransaction", async () => {
  const wallet = createWalletClient({ account, chain: foundry, transport: http(stack.url) });
  const client = createPublicClient({ chain: foundry, transport: http(stack.url) });
  const hash = await wallet.sendTransaction({ to: recipient, value: parseEther("0.25") });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.is(receipt.status, "success");
  assert.is(receipt.from.toLowerCase(), account.toLowerCase());

  const signature = await wallet.signMessage({ message: "hello from viem" });
  assert.is(await recoverMessageAddress({ message: "hello from viem", signature }), account);

  const typed = await wallet.signTypedData({ ...mail, primaryType: "Mail" });
  assert.ok(await viemVerifyTypedData({ ...mail, primaryType: "Mail", address: account, signature: typed }));
  const otherChain = await wallet.signTypedData({ ...mail, domain: { ...mail.domain, chainId: 1 }, primaryType: "Mail" }).then(() => undefined, (e) => e);
  assert.match(String(otherChain?.details ?? otherChain?.message), /does not match chain 31337/);

  const raw = await wallet.signTransaction({ to: recipient, value: 1n });
  const tx = parseTransaction(raw);
  assert.is(tx.chainId, 31337);
  assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), account);
});

test("ethers v6 JsonRpcProvider (default batching) + getSigner: sendTransaction, signMessage, signTypedData", async () => {
  const provider = new JsonRpcProvider(stack.url, undefined, { pollingInterval: 50 });
  try {
    const signer = await provider.getSigner(account);
    assert.is(await signer.getAddress(), account);
    const response = await signer.sendTransaction({ to: recipient, value: 12345n });
    const receipt = await response.wait();
    assert.is(receipt?.status, 1);
    assert.is(receipt?.from, account);

    const signature = await signer.signMessage("hello from ethers");
    assert.is(verifyMessage("hello from ethers", signature), account);

    const typed = await signer.signTypedData(mail.domain, mail.types, mail.message);
    assert.is(verifyTypedData(mail.domain, mail.types, mail.message, typed), account);
    assert.ok(Signature.from(typed).yParity === 0 || Signature.from(typed).yParity === 1);

    const [balance, nonce, chainId] = await Promise.all([provider.getBalance(account), provider.getTransactionCount(account), provider.send("eth_chainId", [])]);
    assert.ok(balance > 0n && nonce > 0 && chainId === "0x7a69");
  } finally {
    provider.destroy();
  }
  // ethers sent some of those calls as JSON-RPC batches, and the proxy answered them.
  assert.ok(lines.some((line) => (JSON.parse(line).batchSize ?? 1) > 1), "no batch reached the proxy");
});

test("cast send --unlocked and cast rpc through the proxy", async () => {
  const cast = (args: string[]) => run(binaryPath("cast"), args, { timeout: 60_000 });
  const { stdout } = await cast(["send", "--rpc-url", stack.url, "--unlocked", "--from", account, recipient, "--value", "0.01ether", "--json"]);
  const receipt = JSON.parse(stdout);
  assert.is(receipt.status, "0x1");
  assert.is(receipt.from.toLowerCase(), account.toLowerCase());
  const accounts = JSON.parse((await cast(["rpc", "--rpc-url", stack.url, "eth_accounts"])).stdout);
  assert.equal(accounts, [account]);
  const signature = JSON.parse((await cast(["rpc", "--rpc-url", stack.url, "personal_sign", "0x68656c6c6f", account])).stdout);
  assert.is(await recoverMessageAddress({ message: "hello", signature }), account);
  const raw = JSON.parse((await cast(["rpc", "--rpc-url", stack.url, "eth_signTransaction", JSON.stringify([{ from: account, to: recipient, value: "0x1" }]), "--raw"])).stdout);
  assert.is(Transaction.from(raw).from, account);
});

test("signer_attestation: the document verifies with the attestation CLI, binding the nonce and the accounts", async () => {
  const nonce = bytesToHex(crypto.getRandomValues(new Uint8Array(32)));
  const documentBase64 = await call<string>(stack.url, "signer_attestation", [nonce]);
  const file = join(stack.stateDir, "attestation.b64");
  await writeFile(file, documentBase64);
  const info = JSON.parse(await readFile(join(stack.stateDir, "stack.json"), "utf8"));
  const { stdout } = await run(process.execPath, [
    "--import", "tsx", "host-agent/main_node.ts", "attestation", "verify", file, "--root", info.attestationRootFile, "--nonce", nonce.slice(2), "--pcr", `0=${info.pcr0}`, "--json",
  ], { cwd: root, timeout: 60_000 });
  const verified = JSON.parse(stdout);
  const accounts = await call<Hex[]>(stack.url, "eth_accounts");
  const digest = bytesToHex(await accountsDigest(accounts)).slice(2);
  assert.is(verified.userData.replace(/^0x/, ""), digest);
  assert.is(verified.nonce.replace(/^0x/, ""), nonce.slice(2));
  assert.ok(verified.publicKey.length > 500, "no RSA public key");
});

test.run();
