import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseTransaction, recoverTransactionAddress, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { startLocalStack } from "../../local/start_local_stack_node.ts";
import { verifyAttestationDocument } from "../../signer/attestation/verify_attestation_document.ts";
import { call } from "../helpers/rpc.ts";
import { tempDir } from "../helpers/temp_dir.ts";

// Keys made real: KMS (stand-in, real SDK over TLS through the vsock-proxy stand-in) releases a key only to a
// signer whose simulated PCR0 matches the key policy; records live in the Secrets Manager stand-in.
const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
let dir: Awaited<ReturnType<typeof tempDir>>;
let anvilStack: Awaited<ReturnType<typeof startLocalStack>>;

const hostAgent = (args: string[], input?: string) => {
  const child = run(process.execPath, ["--import", "tsx", "host-agent/main_node.ts", ...args, "--state-dir", dir.path], { cwd: root, timeout: 60_000 });
  if (input !== undefined) child.child.stdin!.end(input);
  return child;
};

test.before(async () => {
  dir = await tempDir("keys-");
});
test.after(async () => {
  await anvilStack?.stop();
  await dir.remove();
});

let firstAccount: Hex;

test("first start generates an account whose record is in Secrets Manager, never in plaintext", async () => {
  anvilStack = await startLocalStack({ stateDir: dir.path, port: 0 });
  assert.is(anvilStack.accounts.length, 1);
  firstAccount = anvilStack.accounts[0]!;
  const { stdout } = await hostAgent(["keys", "list", "--json"]);
  const { keys } = JSON.parse(stdout);
  assert.is(keys.length, 1);
  assert.is(keys[0].address, firstAccount);
  assert.is(keys[0].loaded, true);
  const state = await readFile(join(dir.path, "secrets", "state.json"), "utf8").catch(() => "");
  assert.not.match(state, /"privateKey"/);
});

test("the key survives a restart of the whole stack: same address, loaded through KMS with Recipient, mined", async () => {
  await anvilStack.stop();
  anvilStack = await startLocalStack({ stateDir: dir.path, port: 0 });
  assert.equal(anvilStack.accounts, [firstAccount]);
  const hash = await call<Hex>(anvilStack.url, "eth_sendTransaction", [{ from: firstAccount, to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" }]);
  const receipt = await call(anvilStack.url, "eth_getTransactionReceipt", [hash]);
  assert.is(receipt.status, "0x1");
});

test("keys generate while the stack runs: the new account is served at once", async () => {
  const { stdout } = await hostAgent(["keys", "generate", "--label", "second", "--json"]);
  const { address } = JSON.parse(stdout);
  const accounts = await call<string[]>(anvilStack.url, "eth_accounts");
  assert.ok(accounts.includes(address), `${address} not in ${accounts}`);
});

test("keys import: eth_signTransaction equals viem's privateKeyToAccount for the same fields", async () => {
  const key = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"; // Anvil dev key #2
  const account = privateKeyToAccount(key);
  const { stdout } = await hostAgent(["keys", "import", "--label", "imported", "--json"], `${key}\n`);
  assert.is(JSON.parse(stdout).address, account.address);
  const fields = { type: "0x2", chainId: "0x7a69", nonce: "0x5", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x3b9aca00", to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x10" } as const;
  const raw = await call<Hex>(anvilStack.url, "eth_signTransaction", [{ from: account.address, ...fields }]);
  const expected = await account.signTransaction({ type: "eip1559", chainId: 31337, nonce: 5, gas: 21000n, maxFeePerGas: 2_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n, to: fields.to, value: 16n });
  assert.is(raw, expected);
  assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), account.address);
  assert.is(parseTransaction(raw).nonce, 5);
});

test("keys seal on another machine, keys import --sealed on the parent: the parent never handles the key", async () => {
  const key = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6"; // Anvil dev key #3
  const account = privateKeyToAccount(key);
  const info = JSON.parse(await readFile(join(dir.path, "stack.json"), "utf8"));
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("hex");
  const documentFile = join(dir.path, "signer-attestation.b64");
  await writeFile(documentFile, await call<string>(anvilStack.url, "signer_attestation", [`0x${nonce}`]));
  const seal = (pcr0: string) => hostAgent(["keys", "seal", "--attestation", documentFile, "--nonce", nonce, "--pcr", `0=${pcr0}`, "--root", info.attestationRootFile, "--json"], `${key}\n`);

  const refused = await seal("ab".repeat(48)).then(() => undefined, (error) => error);
  assert.ok(refused, "sealed to an enclave whose PCR0 is not the expected one");
  assert.is(refused.code, 1);
  assert.match(refused.stderr, /keys seal failed: .*PCR0/i);
  assert.is(refused.stdout, "");

  const { sealed, address } = JSON.parse((await seal(info.pcr0)).stdout);
  assert.is(address, account.address);
  assert.not.match(sealed, new RegExp(key.slice(2, 18), "i"));
  const { stdout } = await hostAgent(["keys", "import", "--sealed", "--label", "sealed", "--json"], `${sealed}\n`);
  assert.is(JSON.parse(stdout).address, account.address);
  assert.ok((await call<string[]>(anvilStack.url, "eth_accounts")).includes(account.address));
  const message = await call<Hex>(anvilStack.url, "personal_sign", ["0x68656c6c6f", account.address]);
  assert.is(message, await account.signMessage({ message: "hello" }));
});

test("keys import refuses a malformed key with a one-line reason and stores nothing", async () => {
  const before = JSON.parse((await hostAgent(["keys", "list", "--json"])).stdout).keys.length;
  const failed = await hostAgent(["keys", "import"], "0x1234\n").then(() => undefined, (error) => error);
  assert.ok(failed, "import of a bad key succeeded");
  assert.is(failed.code, 1);
  assert.match(failed.stderr, /expected 0x followed by 64 hex digits/);
  assert.not.match(failed.stderr, /1234/);
  assert.is(JSON.parse((await hostAgent(["keys", "list", "--json"])).stdout).keys.length, before);
});

test("the signer's attestation verifies against the local root, with its RSA key and the accounts digest", async () => {
  const info = JSON.parse(await readFile(join(dir.path, "stack.json"), "utf8"));
  const rootPem = await readFile(info.attestationRootFile, "utf8");
  const { createSignerClient } = await import("../../signer/protocol/create_signer_client.ts");
  const { nodeTransport } = await import("../../signer/transport/transport_node.ts");
  const { parseSignerAddress } = await import("../../signer/transport/parse_signer_address.ts");
  const { accountsDigest } = await import("../../signer/attestation/accounts_digest.ts");
  const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(info.signerAddress)));
  const nonce = crypto.getRandomValues(new Uint8Array(16));
  const { document } = await signer.request("attest", { nonce });
  const accounts = (await signer.request("keys.list", {})).map((a) => a.address);
  signer.close();
  const doc = await verifyAttestationDocument(document, { roots: [rootPem], expect: { nonce, pcrs: { 0: info.pcr0 }, userData: await accountsDigest(accounts) } });
  assert.is(doc.publicKey?.length, 294); // RSA-2048 SubjectPublicKeyInfo
  assert.match(doc.moduleId, /^i-[0-9a-f]{17}-enc[0-9a-f]{16}$/);
});

test("a signer whose PCR0 differs from the key policy gets AccessDenied and loads nothing", async () => {
  await anvilStack.stop();
  const wrong = `${"ab".repeat(48)}`;
  const failed = await startLocalStack({ stateDir: dir.path, port: 0, signerPcr0: wrong }).then(
    async (stack) => {
      const accounts = stack.accounts;
      await stack.stop();
      return { accounts };
    },
    (error: Error) => ({ error }),
  );
  if ("accounts" in failed) assert.equal(failed.accounts, [], "an unapproved image was given keys");
  else assert.match(failed.error.message, /AccessDenied/);
  anvilStack = await startLocalStack({ stateDir: dir.path, port: 0 });
  assert.ok(anvilStack.accounts.includes(firstAccount), "the approved image no longer loads the keys");
});

test.run();
