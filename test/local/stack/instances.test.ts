import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseEther, recoverMessageAddress, toHex, type Hex } from "viem";
import { spawnService, type Service } from "../../../local/spawn_service_node.ts";
import { ADMIN_A, ADMIN_B, approve, documentDigest, NEXT_YEAR } from "../../helpers/policy_admins.ts";
import { call, rpc } from "../../helpers/rpc.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { waitFor } from "../../host-agent/helpers/fake_enclave.ts";

// `npm start -- --instances 2`: two complete instances (signer, host-agent daemon, rpc-proxy each) sharing one
// Anvil, one DynamoDB (the fleet state table) and the AWS stand-ins, proxies on consecutive ports; the host-agent CLI on the same state directory acts
// on both, through the key sync of each daemon.
const root = new URL("../../../", import.meta.url).pathname;
let dir: Awaited<ReturnType<typeof tempDir>>;
let service: Service | undefined;
let urls: string[] = [];
let basePort = 0;
const output: string[] = [];

/** A port p with p + 1 free as well (checked by binding both; another process may still take them later). */
async function consecutiveFreePorts(): Promise<number> {
  const bind = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined));
      server.listen(port, "127.0.0.1", () => {
        const bound = (server.address() as { port: number }).port;
        server.close(() => resolve(bound));
      });
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await bind(0);
    if (port !== undefined && port < 65535 && (await bind(port + 1)) !== undefined) return port;
  }
  throw new Error("no two consecutive free ports");
}

const hostAgent = (args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "host-agent/main_node.ts", ...args, "--state-dir", dir.path], { cwd: root, timeout: 60_000 });

test.before(async () => {
  dir = await tempDir("instances-");
  basePort = await consecutiveFreePorts();
  const found: string[] = [];
  ({ service } = await spawnService("npm start", process.execPath, [
    "--import", "tsx", "local/main_node.ts", "--instances", "2", "--port", String(basePort), "--state-dir", dir.path, "--key-sync-ms", "1000", "--quiet",
  ], {
    cwd: root,
    timeoutMs: 240_000,
    ready: (line) => {
      output.push(line);
      const url = /^JSON-RPC ready at (\S+)$/.exec(line)?.[1];
      if (url) found.push(url);
      return found.length === 2 && line.startsWith("account ") ? found : undefined;
    },
    onLine: (line) => void output.push(line),
  }));
  urls = found;
});
test.after(async () => {
  await service?.stop(20_000);
  await dir?.remove();
});

test("prints JSON-RPC ready once per instance, on consecutive ports from --port", () => {
  assert.equal(urls, [`http://127.0.0.1:${basePort}`, `http://127.0.0.1:${basePort + 1}`]);
  assert.ok(output.some((line) => /^account 0x[0-9a-fA-F]{40}$/.test(line)), output.join("\n"));
});

test("both instances sign for the same account, each through its own signer, and both sends are mined", async () => {
  const [a, b] = urls as [string, string];
  const accounts = await call<Hex[]>(a, "eth_accounts");
  assert.is(accounts.length, 1);
  assert.equal(await call<Hex[]>(b, "eth_accounts"), accounts);
  const info = JSON.parse(await readFile(join(dir.path, "stack.json"), "utf8")) as { instances: { url: string; signerAddress: string }[] };
  assert.equal(info.instances.map((i) => i.url), urls);
  assert.is.not(info.instances[0]!.signerAddress, info.instances[1]!.signerAddress);
  // Both proxies keep their nonces in the one local DynamoDB's state table, and say so in /readyz.
  for (const url of urls) {
    const readiness = (await (await fetch(`${url}/readyz`)).json()) as { ready: boolean; checks: Record<string, { ready: boolean; detail?: string }> };
    assert.ok(readiness.ready, JSON.stringify(readiness));
    assert.equal(readiness.checks.state, { ready: true, detail: "table nitro-signer-state" });
    assert.is(readiness.checks.hostAgent?.ready, true);
  }
  const message = "0x68656c6c6f"; // "hello"
  for (const url of urls) {
    const signature = await call<Hex>(url, "personal_sign", [message, accounts[0]]);
    assert.is(await recoverMessageAddress({ message: { raw: message }, signature }), accounts[0]);
    const hash = await call<Hex>(url, "eth_sendTransaction", [{ from: accounts[0], to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" }]);
    const receipt = await waitFor(() => call(url, "eth_getTransactionReceipt", [hash]).then((r) => r ?? undefined), "the receipt", 30_000);
    assert.is(receipt.status, "0x1");
  }
});

test("a key generated with the host-agent CLI on the state directory is served by both instances (key sync)", async () => {
  const { address } = JSON.parse((await hostAgent(["keys", "generate", "--label", "fleet", "--json"])).stdout) as { address: Hex };
  for (const url of urls) {
    await waitFor(async () => (await call<Hex[]>(url, "eth_accounts")).includes(address), `${address} at ${url}`, 60_000);
    const signature = await call<Hex>(url, "personal_sign", ["0x01", address]);
    assert.is(await recoverMessageAddress({ message: { raw: "0x01" }, signature }), address);
  }
});

test("a policy applied with the host-agent CLI holds on both instances, and its 1 ETH/day window is one budget for the fleet", async () => {
  const ALICE = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
  const generated = JSON.parse((await hostAgent(["keys", "generate", "--label", "limited", "--admin", ADMIN_A.address, "--admin", ADMIN_B.address, "--json"])).stdout) as { address: Hex };
  const account = generated.address;
  const info = JSON.parse(await readFile(join(dir.path, "stack.json"), "utf8")) as { upstreamUrl: string };
  await call(info.upstreamUrl, "anvil_setBalance", [account, toHex(10n ** 19n)]);
  const document = {
    version: 1,
    account,
    sequence: 1,
    notAfter: NEXT_YEAR,
    rules: [{ id: "to-alice", effect: "allow", action: "transaction", to: [ALICE] }],
    limits: [{ id: "eth-day", window: 86400, maxValue: parseEther("1").toString() }],
  };
  const file = join(dir.path, "limited-policy.json");
  await writeFile(file, JSON.stringify(document));
  const [a, b] = await approve(document, [ADMIN_A, ADMIN_B]);
  await hostAgent(["policy", "apply", file, "--signature", a!, "--signature", b!, "--json"]);
  for (const url of urls) {
    await waitFor(async () => (await call<{ digest: Hex | null }>(url, "signer_policy", [account]).catch(() => ({ digest: null }))).digest === documentDigest(document) || undefined, `the policy at ${url}`, 60_000);
  }
  const send = async (url: string) =>
    (await rpc(url, { jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from: account, to: ALICE, value: toHex(parseEther("0.3")) }] })).json;
  const [first, second] = urls as [string, string];
  for (const url of [first, second, first]) {
    const reply = await send(url);
    assert.ok(reply.result, JSON.stringify(reply));
  }
  // 0.9 ETH spent across both instances: a fourth 0.3 ETH is over the one budget, whichever instance gets it.
  for (const url of [second, first]) {
    const reply = await send(url);
    assert.is(reply.error?.code, -32050, JSON.stringify(reply));
    assert.is((reply.error?.data as { rule?: string } | undefined)?.rule, "eth-day");
  }
});

test("npm start refuses a bad --instances or a mismatched number of --upstream URLs with exit code 2", async () => {
  const start = (args: string[]) => promisify(execFile)(process.execPath, ["--import", "tsx", "local/main_node.ts", ...args], { cwd: root, timeout: 60_000 });
  for (const args of [["--instances", "0"], ["--instances", "2", "--upstream", "http://127.0.0.1:1", "--upstream", "http://127.0.0.1:2", "--upstream", "http://127.0.0.1:3"]]) {
    const error = await start(args).then(() => undefined, (e: { code: number; stderr: string }) => e);
    assert.ok(error, `${args.join(" ")} was accepted`);
    assert.is(error.code, 2);
    assert.match(error.stderr, /^npm start: /);
  }
  const { stdout } = await start(["--help"]);
  assert.match(stdout, /--instances N/);
});

test.run();
