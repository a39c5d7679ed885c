import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ensureStateTable, startDynamoDbStandIn } from "../../../local/mod_node.ts";

const CREDENTIAL = { accessKeyId: "AKIALOCALDYNAMO00001", secretAccessKey: "local-secret-for-tests-only", principalArn: "arn:aws:iam::111122223333:role/nitro-signer-instance" };
const client = (endpoint: string, secretAccessKey = CREDENTIAL.secretAccessKey) =>
  new DynamoDBClient({ region: "us-east-1", endpoint, credentials: { accessKeyId: CREDENTIAL.accessKeyId, secretAccessKey }, maxAttempts: 1 });

test("startDynamoDbStandIn() serves the real DynamoDB client; ensureStateTable() is idempotent; data survives a restart under path", async () => {
  const dir = await mkdtemp(join(tmpdir(), "dynamodb-"));
  try {
    let db = await startDynamoDbStandIn({ path: dir, credentials: [CREDENTIAL] });
    try {
      await ensureStateTable(client(db.endpoint), "state");
      await ensureStateTable(client(db.endpoint), "state");
      await client(db.endpoint).send(new PutItemCommand({ TableName: "state", Item: { pk: { S: "a" }, version: { N: "1" } }, ConditionExpression: "attribute_not_exists(pk)" }));
      const lost = await client(db.endpoint)
        .send(new PutItemCommand({ TableName: "state", Item: { pk: { S: "a" }, version: { N: "1" } }, ConditionExpression: "attribute_not_exists(pk)" }))
        .then(() => undefined, (e: Error) => e.name);
      assert.is(lost, "ConditionalCheckFailedException");
    } finally {
      await db.stop();
    }
    db = await startDynamoDbStandIn({ path: dir, credentials: [CREDENTIAL] });
    try {
      const item = await client(db.endpoint).send(new GetItemCommand({ TableName: "state", Key: { pk: { S: "a" } }, ConsistentRead: true }));
      assert.equal(item.Item?.["version"], { N: "1" });
    } finally {
      await db.stop();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("startDynamoDbStandIn() refuses a request signed with the wrong secret or not signed", async () => {
  const db = await startDynamoDbStandIn({ credentials: [CREDENTIAL] });
  try {
    const error = await client(db.endpoint, "wrong-secret")
      .send(new GetItemCommand({ TableName: "state", Key: { pk: { S: "a" } } }))
      .then(() => undefined, (e: Error) => e.name);
    assert.is(error, "InvalidSignatureException");
    const unsigned = await fetch(db.endpoint, { method: "POST", headers: { "x-amz-target": "DynamoDB_20120810.ListTables", "content-type": "application/x-amz-json-1.0" }, body: "{}" });
    assert.is(unsigned.status, 400);
    assert.match(await unsigned.text(), /MissingAuthenticationToken/);
  } finally {
    await db.stop();
  }
});

test("startDynamoDbStandIn() needs credentials or a stateDir", async () => {
  await startDynamoDbStandIn({}).then(() => assert.unreachable(), (e: Error) => assert.instance(e, TypeError));
});

test.run();
