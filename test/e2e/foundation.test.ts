import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createPublicClient, createWalletClient, http, parseEther, parseTransaction, recoverTransactionAddress, type Hex } from "viem";
import { foundry } from "viem/chains";
import { binaryPath } from "../../local/binaries_node.ts";
import { startTestStack } from "../helpers/test_stack.ts";
import { call } from "../helpers/rpc.ts";

// The whole system as a user runs it: real Anvil, the signer as a Deno process, the proxy, real clients.
let stack: Awaited<ReturnType<typeof startTestStack>>;
let account: Hex;
const recipient = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

test.before(async () => {
  stack = await startTestStack();
  account = stack.accounts[0]!;
});
test.after(() => stack.stop());

test("the stack makes one account and funds it with 100 ETH on its own Anvil", async () => {
  assert.is(stack.accounts.length, 1);
  const balance = BigInt(await call(stack.upstreamUrl, "eth_getBalance", [account, "latest"]));
  assert.ok(balance > parseEther("99"), `balance ${balance}`);
  assert.equal(await call(stack.url, "eth_accounts"), [account]);
});

test("the signer's log lines reach <stateDir>/logs/signer.log through the host-agent's log receiver, as on an instance", async () => {
  const { readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  let lines: Record<string, unknown>[] = [];
  for (let i = 0; i < 200 && !lines.some((l) => l.event === "listening"); i++) {
    await new Promise((r) => setTimeout(r, 25));
    lines = (await readFile(join(stack.stateDir, "logs", "signer.log"), "utf8").catch(() => "")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  }
  const listening = lines.find((l) => l.event === "listening");
  assert.ok(listening, "the signer's listening line is in the parent's file");
  assert.is(listening!.service, "signer");
  assert.match(String(listening!.logTo), /^unix:\/\/.*-logs\.sock$/);
});

test("viem's wallet client with a JSON-RPC account sends a transfer that is mined with status success", async () => {
  const wallet = createWalletClient({ chain: foundry, transport: http(stack.url), account });
  const client = createPublicClient({ chain: foundry, transport: http(stack.url) });
  const before = await client.getBalance({ address: recipient });
  const hash = await wallet.sendTransaction({ to: recipient, value: parseEther("0.5") });
  const receipt = await client.waitForTransactionReceipt({ hash, pollingInterval: 50 });
  assert.is(receipt.status, "success");
  assert.is(receipt.from.toLowerCase(), account.toLowerCase());
  assert.is(await client.getBalance({ address: recipient }), before + parseEther("0.5"));
});

test("eth_signTransaction output decodes and recovers to the account, with the fields filled", async () => {
  const raw = await call<Hex>(stack.url, "eth_signTransaction", [{ from: account, to: recipient, value: "0x1" }]);
  const tx = parseTransaction(raw);
  assert.is(tx.type, "eip1559");
  assert.is(tx.chainId, 31337);
  assert.is(tx.to?.toLowerCase(), recipient.toLowerCase());
  assert.is(tx.value, 1n);
  assert.is(tx.gas, 21000n);
  assert.ok(tx.maxFeePerGas! > 0n && tx.maxPriorityFeePerGas! > 0n);
  assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), account);
});

test("fields the caller gives are never overridden", async () => {
  const raw = await call<Hex>(stack.url, "eth_signTransaction", [{
    from: account, to: recipient, value: "0x2", type: "0x0", gas: "0x6000", gasPrice: "0x3b9aca07", nonce: "0x63", input: "0x", data: "0x",
  }]);
  const tx = parseTransaction(raw);
  assert.is(tx.type, "legacy");
  assert.is(tx.gas, 0x6000n);
  assert.is(tx.gasPrice, 0x3b9aca07n);
  assert.is(tx.nonce, 0x63);
  assert.is(tx.chainId, 31337);
});

test("eth_sendTransaction of an EIP-2930 transaction is mined", async () => {
  const hash = await call<Hex>(stack.url, "eth_sendTransaction", [{ from: account, to: recipient, value: "0x3", type: "0x1", accessList: [] }]);
  const receipt = await call(stack.url, "eth_getTransactionReceipt", [hash]);
  assert.is(receipt.status, "0x1");
  assert.is(receipt.type, "0x1");
});

test("Foundry's cast send --unlocked through the proxy succeeds", async () => {
  const { stdout } = await promisify(execFile)(binaryPath("cast"), [
    "send", "--rpc-url", stack.url, "--unlocked", "--from", account, recipient, "--value", "1ether", "--json",
  ], { timeout: 60_000 });
  const receipt = JSON.parse(stdout);
  assert.is(receipt.status, "0x1");
  assert.is(receipt.from.toLowerCase(), account.toLowerCase());
});

test.run();
