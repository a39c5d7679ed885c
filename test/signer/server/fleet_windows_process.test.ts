import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseEther, recoverTransactionAddress, toHex, type Hex } from "viem";
import { startSigner } from "../../../local/start_signer_node.ts";
import type { Service } from "../../../local/spawn_service_node.ts";
import { createSignerClient } from "../../../signer/protocol/create_signer_client.ts";
import type { SignerMethods } from "../../../signer/protocol/messages.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { errorOf } from "../../helpers/error_of.ts";
import { ADMIN_A, ADMIN_B, approve, NEXT_YEAR } from "../../helpers/policy_admins.ts";

// Fleet windows through the real Deno signer over its protocol (issue 13, docs/fleet-state.md): one signer started
// with --windows fleet, one with the dev default (memory), each holding a governed key whose policy has a 1 ETH
// window. The test plays the rpc-proxy: it keeps the table's item and presents it with every request.
type Client = ReturnType<typeof createSignerClient>;
const ALICE: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const started: { service: Service; client: Client }[] = [];

async function signer(args: string[]): Promise<{ client: Client; account: Hex }> {
  const { service, address } = await startSigner({ listen: "tcp://127.0.0.1:0", args: ["--mode", "dev", "--workers", "1", ...args] });
  const parsed = parseSignerAddress(address);
  const client = createSignerClient(() => nodeTransport.connect(parsed));
  started.push({ service, client });
  const governance = { admins: [ADMIN_A.address, ADMIN_B.address].map((a) => a.toLowerCase() as Hex), threshold: 1 };
  const account = (await client.request("keys.generate", { governance })).address;
  const document = {
    version: 1,
    account,
    sequence: 1,
    notAfter: NEXT_YEAR,
    rules: [{ id: "to-alice", effect: "allow", action: "transaction", to: [ALICE] }],
    limits: [{ id: "eth-day", window: 86400, maxValue: parseEther("1").toString() }],
  };
  await client.request("policy.apply", { document: JSON.stringify(document), approvals: await approve(document, [ADMIN_A]) });
  return { client, account };
}

let fleet: { client: Client; account: Hex };
let memory: { client: Client; account: Hex };

test.before(async () => {
  fleet = await signer(["--windows", "fleet"]);
  memory = await signer([]);
});
test.after(async () => {
  for (const { service, client } of started) {
    client.close();
    await service.stop();
  }
});

const tx = (account: Hex, value: bigint, nonce: number): SignerMethods["sign.transaction"]["params"] => ({
  address: account,
  transaction: { type: "0x2", chainId: "0x7a69", nonce: toHex(nonce), gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: ALICE, value: toHex(value) },
});

test("describe reports where the windows live", async () => {
  assert.is((await fleet.client.request("describe", {})).windows, "fleet");
  assert.is((await memory.client.request("describe", {})).windows, "memory");
});

test("fleet mode: refuses without window state, chains records, refuses a forged record and a replayed older one", async () => {
  const { client, account } = fleet;
  const required = await errorOf(client.request("sign.transaction", tx(account, 1n, 0)));
  assert.is(required.code, "WINDOW_STATE_REQUIRED");
  assert.equal((required as unknown as { data: unknown }).data, { address: account.toLowerCase() });

  const first = await client.request("sign.transaction", { ...tx(account, parseEther("0.4"), 0), window: { record: null } });
  assert.is(await recoverTransactionAddress({ serializedTransaction: first.raw as never }), account);
  assert.is(first.window!.version, 1);
  assert.instance(first.window!.record, Uint8Array);
  assert.ok(first.window!.expiresAt > Date.now() / 1000 + 86000, "the entry counts for a day");
  const second = await client.request("sign.transaction", { ...tx(account, parseEther("0.4"), 1), window: { record: first.window!.record } });
  assert.is(second.window!.version, 2);

  // The budget travels in the record: 0.4 + 0.4 + 0.4 > 1 ETH, in the dry run and in the real request.
  const check = await client.request("policy.check", { method: "sign.transaction", params: tx(account, parseEther("0.4"), 2), window: { record: second.window!.record } });
  assert.equal([check.allowed, check.rule], [false, "eth-day"]);
  const refused = await errorOf(client.request("sign.transaction", { ...tx(account, parseEther("0.4"), 2), window: { record: second.window!.record } }));
  assert.is(refused.code, "POLICY_REFUSED");

  const forged = second.window!.record.slice();
  forged[forged.length - 1]! ^= 0x80;
  const invalid = await errorOf(client.request("sign.transaction", { ...tx(account, 1n, 2), window: { record: forged } }));
  assert.is(invalid.code, "WINDOW_STATE_INVALID");

  for (const replayed of [first.window!.record, null]) {
    const stale = await errorOf(client.request("sign.transaction", { ...tx(account, parseEther("0.4"), 2), window: { record: replayed } }));
    assert.is(stale.code, "WINDOW_STATE_STALE");
    const data = (stale as unknown as { data: { version: number; newest: number; record: Uint8Array } }).data;
    assert.equal([data.version, data.newest], [replayed === null ? 0 : 1, 2]);
    assert.equal(new Uint8Array(data.record), second.window!.record);
  }

  // The newest state is what describe shows; the refusals counted nothing.
  const [described] = (await client.request("policy.describe", { address: account })).accounts;
  assert.equal(described!.windows, [{ id: "eth-day", window: 86400, value: parseEther("0.8").toString(), count: 2 }]);
  const third = await client.request("sign.transaction", { ...tx(account, parseEther("0.2"), 2), window: { record: second.window!.record } });
  assert.is(third.window!.version, 3);
});

test("memory mode is unchanged: no window needed, none returned, the budget in the signer's memory", async () => {
  const { client, account } = memory;
  const first = await client.request("sign.transaction", tx(account, parseEther("0.6"), 0));
  assert.is(first.window, undefined);
  const refused = await errorOf(client.request("sign.transaction", { ...tx(account, parseEther("0.6"), 1), window: { record: null } }));
  assert.is(refused.code, "POLICY_REFUSED");
  const [described] = (await client.request("policy.describe", { address: account })).accounts;
  assert.equal(described!.windows, [{ id: "eth-day", window: 86400, value: parseEther("0.6").toString(), count: 1 }]);
});

test.run();
