import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { promisify } from "node:util";
import { GetSecretValueCommand, PutSecretValueCommand, CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { privateKeyToAccount } from "viem/accounts";
import { startLocalStack } from "../../local/start_local_stack_node.ts";
import { call } from "../helpers/rpc.ts";
import { tempDir } from "../helpers/temp_dir.ts";

// Governance sealed with the key (issue 12), through real processes: the host-agent CLI, the signer, the KMS
// stand-in (which authenticates the EncryptionContext) and the Secrets Manager stand-in.
const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
let dir: Awaited<ReturnType<typeof tempDir>>;
let stack: Awaited<ReturnType<typeof startLocalStack>>;
let lines: string[] = [];

const ADMIN_A = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ADMIN_B = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const ADMIN_C = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

const hostAgent = (args: string[], input?: string) => {
  const child = run(process.execPath, ["--import", "tsx", "host-agent/main_node.ts", ...args, "--state-dir", dir.path], { cwd: root, timeout: 60_000 });
  if (input !== undefined) child.child.stdin!.end(input);
  return child;
};
const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { code: number; stderr: string; stdout: string }) => error);
const start = async () => {
  lines = [];
  stack = await startLocalStack({ stateDir: dir.path, port: 0, log: (line) => lines.push(line) });
};
const secretsClient = async () => {
  const info = JSON.parse(await readFile(join(dir.path, "stack.json"), "utf8"));
  const client = new SecretsManagerClient({
    region: info.region,
    endpoint: info.secretsEndpoint,
    credentials: info.hostCredentials,
    requestHandler: { httpsAgent: new Agent({ ca: await readFile(info.caFile, "utf8") }) },
  });
  return { client, prefix: info.secretPrefix as string };
};
const listKeys = async () => JSON.parse((await hostAgent(["keys", "list", "--json"])).stdout) as {
  keys: { address: string; loaded: boolean; governance: { admins: string[]; threshold: number } | null; policy: { kind: string } | null }[];
  failed: unknown[];
};

test.before(async () => {
  dir = await tempDir("governed-");
  await start();
});
test.after(async () => {
  await stack?.stop();
  await dir.remove();
});

let governed: string;
let imported: string;

test("keys generate --admin --threshold: the key is governed, its record and keys list say so", async () => {
  const { stdout } = await hostAgent(["keys", "generate", "--label", "gov", "--admin", ADMIN_B, "--admin", ADMIN_A, "--threshold", "1", "--json"]);
  const result = JSON.parse(stdout);
  governed = result.address;
  const expected = { admins: [ADMIN_A, ADMIN_B].map((a) => a.toLowerCase()).sort(), threshold: 1 };
  assert.equal(result.governance, expected);
  const { keys, failed } = await listKeys();
  assert.equal(failed, []);
  const key = keys.find((k) => k.address === governed)!;
  assert.equal(key.governance, expected);
  assert.is(key.loaded, true);
  assert.equal(key.policy, { kind: "none", governance: expected });
  const unrestricted = keys.find((k) => k.address === stack.accounts[0])!;
  assert.is(unrestricted.governance, null);
  assert.equal(unrestricted.policy, { kind: "unrestricted" });
  const text = (await hostAgent(["keys", "list"])).stdout;
  assert.match(text, new RegExp(`${governed}  loaded  1 of 2 admins: ${expected.admins.join(", ")}`));
  assert.match(text, new RegExp(`${stack.accounts[0]}  loaded  unrestricted`));

  const { client, prefix } = await secretsClient();
  const record = JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: `${prefix}${governed}` }))).SecretString!);
  client.destroy();
  assert.equal(record.governance, expected);
  assert.is(record.encryptionContext.governance, `1:${expected.admins.join(",")}`);
});

test("keys import with --admin (threshold: all admins by default)", async () => {
  const key = "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a"; // Anvil dev key #5
  const { stdout } = await hostAgent(["keys", "import", "--admin", ADMIN_C, "--admin", ADMIN_A, "--json"], `${key}\n`);
  const result = JSON.parse(stdout);
  imported = result.address;
  assert.is(imported, privateKeyToAccount(key).address);
  assert.equal(result.governance, { admins: [ADMIN_A, ADMIN_C].map((a) => a.toLowerCase()).sort(), threshold: 2 });
});

test("bad --admin and --threshold are refused with a one-line reason, exit 2, nothing made", async () => {
  const before = (await listKeys()).keys.length;
  for (const [args, message] of [
    [["--admin", "0x1234"], /--admin 0x1234: expected a 0x address/],
    [["--admin", ADMIN_A, "--admin", ADMIN_A.toLowerCase()], /given twice/],
    [["--admin", ADMIN_A, "--threshold", "2"], /--threshold must be from 1 to 1/],
    [["--threshold", "1"], /--threshold needs --admin/],
  ] as const) {
    const error = await failure(hostAgent(["keys", "generate", ...args]));
    assert.ok(error, `accepted ${args.join(" ")}`);
    assert.is(error!.code, 2);
    assert.match(error!.stderr, message);
  }
  assert.is((await listKeys()).keys.length, before);
});

test("governed keys survive a restart; a policy stored beside the records is not a key record and never fatal", async () => {
  const { client, prefix } = await secretsClient();
  // A policy record that the signer cannot accept (no valid approvals): reported at start, not a failed key record.
  const document = JSON.stringify({ version: 1, account: governed, sequence: 1, notAfter: "2099-01-01T00:00:00Z", rules: [] });
  await client.send(new CreateSecretCommand({ Name: `${prefix}policy/${governed}`, SecretString: JSON.stringify({ version: 1, document, approvals: [] }) }));
  client.destroy();
  await stack.stop();
  await start();
  assert.ok(stack.accounts.includes(governed as `0x${string}`), "the governed key was not loaded");
  assert.ok(stack.accounts.includes(imported as `0x${string}`), "the imported governed key was not loaded");
  // The host-agent daemon reports the refused policy by name, and still loads every key.
  assert.ok(lines.some((l) => l.includes("policies-failed") && l.includes(`"name":"policy/${governed}"`)), lines.join("\n"));
  const { keys, failed } = await listKeys();
  assert.equal(failed, []);
  assert.is(keys.length, 3);
  assert.equal(keys.find((k) => k.address === governed)!.governance?.threshold, 1);
});

test("editing a record's governance (or removing it) makes the signer refuse it: the key is not served", async () => {
  let { client, prefix } = await secretsClient();
  const read = async (address: string) => JSON.parse((await client.send(new GetSecretValueCommand({ SecretId: `${prefix}${address}` }))).SecretString!);
  const put = (address: string, record: unknown) => client.send(new PutSecretValueCommand({ SecretId: `${prefix}${address}`, SecretString: JSON.stringify(record) }));
  const original = await read(governed);
  // The parent swaps in its own admin set, and strips the other key's governance altogether.
  await put(governed, { ...original, governance: { admins: [ADMIN_C.toLowerCase()], threshold: 1 } });
  const other = await read(imported);
  const { governance: _, ...stripped } = other;
  await put(imported, stripped);
  client.destroy();
  await stack.stop();
  await start();
  assert.not.ok(stack.accounts.includes(governed as `0x${string}`), "a record with edited governance was served");
  assert.not.ok(stack.accounts.includes(imported as `0x${string}`), "a record with its governance removed was served unrestricted");
  for (const address of [governed, imported]) {
    const refused = `"name":"${address}","error":"KEY_RECORD_REFUSED: Cannot load key ${address}: the record's governance does not verify`.toLowerCase();
    assert.ok(lines.some((l) => l.includes("keys-failed") && l.toLowerCase().includes(refused)), lines.join("\n"));
  }
  const accounts = await call<string[]>(stack.url, "eth_accounts");
  assert.not.ok(accounts.includes(governed));
  const listed = await failure(hostAgent(["keys", "list", "--json"]));
  assert.is(listed, undefined, "keys list counts only unreadable records as failed");
  // Restoring the sealed governance makes it load again.
  ({ client, prefix } = await secretsClient());
  await put(governed, original);
  await put(imported, other);
  client.destroy();
  await stack.stop();
  await start();
  assert.ok(stack.accounts.includes(governed as `0x${string}`));
  assert.ok(stack.accounts.includes(imported as `0x${string}`));
});

test.run();
