import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseEther, toHex, type Hex } from "viem";
import { errorOf } from "../../helpers/error_of.ts";
import { ADMIN_A, ADMIN_B, NEXT_YEAR } from "../../helpers/policy_admins.ts";
import { rpc } from "../../helpers/rpc.ts";
import { startFleetFixture, STATE_TABLE, type FleetFixture } from "./fleet_fixture.ts";

// Issue 13: spend windows shared by the fleet. Two instances (each a Deno signer with --windows fleet and an
// rpc-proxy process with --state-table) over one dynalite; the window records live in the table, written only
// by conditional writes of what the signer returned, and a signature is released only once its record is stored.
let f: FleetFixture;
let plain: Hex;
const ALICE: Hex = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65";
const governance = { admins: [ADMIN_A.address, ADMIN_B.address].map((a) => a.toLowerCase() as Hex), threshold: 1 };

test.before(async () => {
  f = await startFleetFixture({ instances: 2, signerArgs: ["--windows", "fleet"] });
  plain = await f.addKey("plain");
});
test.after(() => f?.stop());

/** A governed key whose policy allows transactions to ALICE within `maxValue` wei per day. */
async function limitedKey(label: string, maxValue: bigint): Promise<Hex> {
  const account = await f.addKey(label, governance);
  await f.applyPolicy({
    version: 1,
    account,
    sequence: 1,
    notAfter: NEXT_YEAR,
    rules: [{ id: "to-alice", effect: "allow", action: "transaction", to: [ALICE] }],
    limits: [{ id: "eth-day", window: 86400, maxValue: maxValue.toString() }],
  });
  return account;
}

const send = (i: number, from: Hex, value: bigint, method = "eth_sendTransaction") =>
  rpc(f.instances[i]!.url, { jsonrpc: "2.0", id: 1, method, params: [{ from, to: ALICE, value: toHex(value) }] });
const windowItem = async (account: Hex) =>
  (await f.dynamodb.client.send(new GetItemCommand({ TableName: STATE_TABLE, Key: { pk: { S: `window#${account.toLowerCase()}` } }, ConsistentRead: true }))).Item;
const transaction = (account: Hex, value: bigint) => ({
  address: account,
  transaction: { type: "0x2", chainId: "0x7a69", nonce: "0x63", gas: "0x5208", maxFeePerGas: "0x77359400", maxPriorityFeePerGas: "0x1", to: ALICE, value: toHex(value) } as const,
});

let oldRecord: Uint8Array;
let limited: Hex;

test("a 1 ETH/day window across two instances: 0.3 ETH sends alternating, the fourth refused by either; a restarted signer does not reset it", async () => {
  limited = await limitedKey("day", parseEther("1"));
  assert.is((await send(0, limited, parseEther("0.3"))).json.error, undefined);
  oldRecord = (await windowItem(limited))!["record"]!.B!;
  assert.is((await windowItem(limited))!["version"]!.N, "1");
  assert.is((await send(1, limited, parseEther("0.3"))).json.error, undefined);
  assert.is((await send(0, limited, parseEther("0.3"))).json.error, undefined);
  for (const i of [1, 0]) {
    const refused = (await send(i, limited, parseEther("0.3"))).json.error;
    assert.is(refused?.code, -32050, `instance ${i} refuses the fourth`);
    assert.is(refused.data.rule, "eth-day");
  }
  await f.instances[0]!.restartSigner();
  await f.instances[1]!.restartSigner();
  for (const i of [0, 1]) assert.is((await send(i, limited, parseEther("0.3"))).json.error?.data?.rule, "eth-day", `restarted instance ${i} still refuses`);
  // Exactly up to the budget, then not one wei more.
  assert.is((await send(1, limited, parseEther("0.1"))).json.error, undefined);
  assert.is((await send(0, limited, 1n)).json.error?.data?.rule, "eth-day");
  assert.is((await windowItem(limited))!["version"]!.N, "4");
});

test("conflicting writers: concurrent reservations from both instances never exceed the budget by one wei", async () => {
  const account = await limitedKey("race", parseEther("1"));
  const replies = await Promise.all(Array.from({ length: 40 }, (_, i) => send(i % 2, account, parseEther("0.1"), "eth_signTransaction")));
  const signed = replies.filter((r) => typeof r.json.result === "string");
  const refused = replies.filter((r) => r.json.error?.code === -32050 && r.json.error.data?.rule === "eth-day");
  assert.is(signed.length, 10, "1 ETH / 0.1 ETH");
  assert.is(refused.length, 30, JSON.stringify(replies.filter((r) => !r.json.result && r.json.error?.code !== -32050).map((r) => r.json.error)));
  assert.is((await windowItem(account))!["version"]!.N, "10", "one stored record per released signature");
  const metrics = (await Promise.all(f.instances.map(async (x) => (await fetch(`${x.url}/metrics`)).text()))).join("\n");
  assert.match(metrics, /rpc_proxy_state_duration_seconds_count\{operation="PutItem",outcome="ok"\} [1-9]/);
});

test("a forged window record in the table is refused by the signer, and nothing is signed", async () => {
  const item = (await windowItem(limited))!;
  const forged = new Uint8Array(item["record"]!.B!);
  forged[forged.length - 1]! ^= 1;
  await f.dynamodb.client.send(new PutItemCommand({ TableName: STATE_TABLE, Item: { ...item, record: { B: forged } } }));
  const direct = await errorOf(f.instances[0]!.signer.request("sign.transaction", { ...transaction(limited, 1n), window: { record: forged } }));
  assert.is(direct.code, "WINDOW_STATE_INVALID");
  const refused = (await send(1, limited, 1n)).json.error;
  assert.is(refused?.code, -32603);
  assert.match(refused.message, /Window state refused by the signer/);
  await f.dynamodb.client.send(new PutItemCommand({ TableName: STATE_TABLE, Item: item }));
});

test("a replayed older record is refused by the signer (stale) and does not reset the window", async () => {
  const current = (await windowItem(limited))!;
  const direct = await errorOf(f.instances[0]!.signer.request("sign.transaction", { ...transaction(limited, 1n), window: { record: oldRecord } }));
  assert.is(direct.code, "WINDOW_STATE_STALE");
  // The parent writes the old record back: the signers refuse it, the proxy stores the newest one they name instead.
  await f.dynamodb.client.send(new PutItemCommand({ TableName: STATE_TABLE, Item: { ...current, version: { N: "1" }, record: { B: oldRecord } } }));
  for (const i of [0, 1]) assert.is((await send(i, limited, parseEther("0.3"))).json.error?.data?.rule, "eth-day", `instance ${i}: the budget is still spent`);
  assert.is((await windowItem(limited))!["version"]!.N, current["version"]!.N, "the table holds the newest record again");
});

test("DynamoDB stopped mid-run: sends fail with a JSON-RPC error naming the table, /readyz says so; the stack serves again when it is back", async () => {
  assert.is((await send(0, plain, 1n)).json.error, undefined);
  await f.dynamodb.stop();
  try {
    for (const [i, from] of [[0, plain], [1, plain], [0, limited]] as const) {
      const error = (await send(i, from, 1n)).json.error;
      assert.is(error?.code, -32603, `instance ${i}, ${from === plain ? "nonce lease" : "window"}`);
      assert.match(error.message, new RegExp(`Fleet state unavailable: DynamoDB table ${STATE_TABLE}`));
    }
    const ready = await fetch(`${f.instances[1]!.url}/readyz`);
    assert.is(ready.status, 503);
    assert.is((await ready.json()).checks.state.ready, false);
  } finally {
    await f.dynamodb.start();
  }
  for (let attempt = 0; attempt < 50 && (await fetch(`${f.instances[0]!.url}/readyz`)).status !== 200; attempt++) await new Promise((done) => setTimeout(done, 200));
  assert.is((await fetch(`${f.instances[0]!.url}/readyz`)).status, 200);
  for (const i of [0, 1]) assert.is((await send(i, plain, 1n)).json.error, undefined, `instance ${i} sends again`);
});

test.run();
