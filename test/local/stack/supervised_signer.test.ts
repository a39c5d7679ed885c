import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import type { Hex } from "viem";
import { isEnclaveReady, type EnclaveStatus } from "../../../host-agent/mod.ts";
import { startTestStack } from "../../helpers/test_stack.ts";
import { call } from "../../helpers/rpc.ts";
import { waitFor } from "../../host-agent/helpers/fake_enclave.ts";

// `npm start`'s stack as on an instance: the signer runs under the real host-agent daemon (through the local
// enclave runner), so a signer killed with SIGKILL is restarted by the daemon, which loads every key again.
let stack: Awaited<ReturnType<typeof startTestStack>>;
test.before(async () => {
  stack = await startTestStack();
});
test.after(async () => {
  await stack?.stop();
});

const root = new URL("../../../", import.meta.url).pathname;
const hostAgent = (args: string[]) =>
  promisify(execFile)(process.execPath, ["--import", "tsx", "host-agent/main_node.ts", ...args, "--state-dir", stack.stateDir], { cwd: root, timeout: 60_000 });
const to: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const readyz = async (url: string) => {
  const response = await fetch(`${url}/readyz`);
  return { status: response.status, body: (await response.json()) as { ready: boolean; checks: Record<string, { ready: boolean; detail?: string }> } };
};
const readStatus = async (path: string): Promise<EnclaveStatus> => JSON.parse(await readFile(path, "utf8"));

test("the host-agent daemon supervises the signer: status file ready, /readyz includes its word", async () => {
  const [instance] = stack.instances;
  const status = await readStatus(instance!.statusFile);
  assert.ok(isEnclaveReady(status, Date.now()), JSON.stringify(status));
  assert.is(status.restarts, 0);
  const { status: code, body } = await readyz(stack.url);
  assert.is(code, 200);
  assert.equal(body.checks.hostAgent, { ready: true, detail: "ready" });
});

test("kill -9 of the signer: /readyz goes 503, then 200 after the supervised restart; every key is loaded again and a send is mined", async () => {
  const account = stack.accounts[0]!;
  // A second key (through the host-agent CLI), so that "every key" is more than the one made at first start.
  const { address: second } = JSON.parse((await hostAgent(["keys", "generate", "--label", "second", "--json"])).stdout) as { address: Hex };
  const accounts = [account, second];
  const [instance] = stack.instances;
  const before = await readStatus(instance!.statusFile);
  const pid = await instance!.signerProcessId();
  assert.ok(pid, "no signer process");
  process.kill(pid, "SIGKILL");

  await waitFor(async () => (await readyz(stack.url)).status === 503, "/readyz to report the dead signer", 30_000);
  const down = await readyz(stack.url);
  assert.is(down.body.ready, false);
  const after = await waitFor(async () => {
    const s = await readStatus(instance!.statusFile);
    return s.ready && s.restarts > before.restarts ? s : undefined;
  }, "the daemon to restart the signer and report ready", 120_000);
  assert.is.not(after.enclave?.id, before.enclave?.id);
  assert.is(after.keys?.accounts, 2);
  assert.equal(after.keys?.failed, []);
  assert.is.not(await instance!.signerProcessId(), pid);
  await waitFor(async () => (await readyz(stack.url)).status === 200, "/readyz to be 200 again", 30_000);

  assert.equal(new Set(await call<string[]>(stack.url, "eth_accounts")), new Set(accounts));
  const hash = await call<Hex>(stack.url, "eth_sendTransaction", [{ from: account, to, value: "0x1" }]);
  const receipt = await waitFor(() => call(stack.url, "eth_getTransactionReceipt", [hash]).then((r) => r ?? undefined), "the receipt", 30_000);
  assert.is(receipt.status, "0x1");
});

test.run();
