import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ensureStateTable, startDynamoDbStandIn } from "../../../local/mod_node.ts";
import { createDynamoDbNonceManager } from "../../../rpc-proxy/fleet/create_dynamodb_nonce_manager.ts";
import { createStateTable } from "../../../rpc-proxy/fleet/create_state_table.ts";
import { nonceManagerContract } from "../transactions/nonce_manager_contract.ts";

const CREDENTIAL = { accessKeyId: "AKIALOCALDYNAMO00001", secretAccessKey: "local-secret-for-tests-only", principalArn: "arn:aws:iam::111122223333:role/nitro-signer-instance" };
const db = await startDynamoDbStandIn({ credentials: [CREDENTIAL] });
const client = new DynamoDBClient({ region: "us-east-1", endpoint: db.endpoint, credentials: CREDENTIAL, maxAttempts: 1 });
let tables = 0;
const freshTable = async () => {
  const name = `state-${++tables}`;
  await ensureStateTable(client, name);
  return createStateTable({ client, table: name });
};

nonceManagerContract("createDynamoDbNonceManager (dynalite)", async () => createDynamoDbNonceManager({ table: await freshTable() }));

const A = { from: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", chainId: "0x7a69" } as const;

test("createDynamoDbNonceManager: two managers on one table under concurrency never hand out the same nonce, and leave no gap", async () => {
  const table = await freshTable();
  let conflicts = 0;
  const one = createDynamoDbNonceManager({ table, onConflict: () => conflicts++ });
  const two = createDynamoDbNonceManager({ table: createStateTable({ client, table: table.name }), onConflict: () => conflicts++ });
  const takes = await Promise.all(
    Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? one : two).take(A, 0, 1 + (i % 3))),
  );
  const all = takes.flat().sort((a, b) => a - b);
  assert.is(new Set(all).size, all.length, "no nonce twice");
  assert.equal(all, Array.from({ length: all.length }, (_, i) => i), "contiguous from 0");
  // Now the node ahead of the table, both at once: the compare-and-swap path, still never the same nonce.
  const ahead = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).take(A, 1000 + i, 1)));
  assert.is(new Set(ahead.flat()).size, 20);
  assert.ok(ahead.flat().every((n) => n >= 1000));
  assert.ok(conflicts >= 0);
});

test("createDynamoDbNonceManager: a nonce returned on top by one instance is the next the other takes; one another leased past stays a hole", async () => {
  const table = await freshTable();
  const one = createDynamoDbNonceManager({ table });
  const two = createDynamoDbNonceManager({ table });
  assert.equal(await one.take(A, 0, 2), [0, 1]);
  await one.release(A, [1]);
  assert.is(one.released(A), 0);
  assert.equal(await two.take(A, 0, 1), [1]);
  assert.equal(await one.take(A, 0, 1), [2]);
  assert.equal(await two.take(A, 0, 1), [3]);
  await one.release(A, [2]);
  assert.is(one.released(A), 1, "3 was leased past it: 2 stays one's hole");
  assert.equal(await one.take(A, 0, 1), [2]);
});

test("createDynamoDbNonceManager: DynamoDB unreachable is FLEET_STATE_UNAVAILABLE naming the table, never a nonce", async () => {
  const dead = await startDynamoDbStandIn({ credentials: [CREDENTIAL] });
  const deadClient = new DynamoDBClient({ region: "us-east-1", endpoint: dead.endpoint, credentials: CREDENTIAL, maxAttempts: 1 });
  await ensureStateTable(deadClient, "state");
  const nonces = createDynamoDbNonceManager({ table: createStateTable({ client: deadClient, table: "state" }) });
  assert.equal(await nonces.take(A, 0, 1), [0]);
  await dead.stop();
  const error = await nonces.take(A, 0, 1).then(() => undefined, (e) => e as { code: string; message: string });
  assert.is(error?.code, "FLEET_STATE_UNAVAILABLE");
  assert.match(error!.message, /DynamoDB table state/);
});

test.after(() => db.stop());
test.run();
