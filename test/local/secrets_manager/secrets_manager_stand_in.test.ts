import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
} from "@aws-sdk/client-secrets-manager";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ensureLocalCredentials, type LocalCredentials } from "../../../local/aws/ensure_local_credentials_node.ts";
import type { LocalCredential } from "../../../local/aws/local_credential.ts";
import { errorOf } from "../../helpers/error_of.ts";
import {
  startSecretsManagerStandIn,
  type SecretsManagerStandIn,
} from "../../../local/secrets_manager/start_secrets_manager_stand_in_node.ts";

const stateDir = mkdtempSync(join(tmpdir(), "sm-stand-in-"));
let sm: SecretsManagerStandIn;
let creds: LocalCredentials;
let client: SecretsManagerClient;
const agents: Agent[] = [];

function clientFor(credentials: LocalCredential, extra: { ca?: string | null; maxAttempts?: number } = {}): SecretsManagerClient {
  const agent = new Agent(extra.ca === null ? {} : { ca: extra.ca ?? sm.caPem });
  agents.push(agent);
  return new SecretsManagerClient({
    region: sm.region,
    endpoint: sm.url,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    maxAttempts: extra.maxAttempts ?? 1,
    requestHandler: { httpsAgent: agent },
  });
}

test.before(async () => {
  creds = await ensureLocalCredentials(stateDir);
  sm = await startSecretsManagerStandIn({ stateDir });
  client = clientFor(creds.admin);
});

test.after(async () => {
  client.destroy();
  await sm.close();
  for (const agent of agents) agent.destroy();
  rmSync(stateDir, { recursive: true, force: true });
});

test("ensureLocalCredentials() creates an instance-role and an admin key pair once, in credentials.json (0600)", async () => {
  assert.match(creds.host.accessKeyId, /^AKIA[A-Z2-7]{16}$/);
  assert.is(creds.host.principalArn, "arn:aws:iam::111122223333:role/nitro-signer-instance");
  assert.is(creds.admin.principalArn, "arn:aws:iam::111122223333:role/nitro-signer-admin");
  assert.is.not(creds.host.accessKeyId, creds.admin.accessKeyId);
  assert.equal(await ensureLocalCredentials(stateDir), creds);
  assert.is(statSync(join(stateDir, "credentials.json")).mode & 0o777, 0o600);
});

test("the server listens on loopback HTTPS with a certificate from the state directory's CA", () => {
  assert.match(sm.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.is(readFileSync(join(stateDir, "ca", "ca.pem"), "utf8"), sm.caPem);
});

test("CreateSecret / GetSecretValue round-trip a string secret with the real SDK", async () => {
  const created = await client.send(new CreateSecretCommand({
    Name: "nitro-signer/keys/0xabc",
    SecretString: JSON.stringify({ version: 1 }),
    Tags: [{ Key: "address", Value: "0xabc" }],
    Description: "Key record",
  }));
  assert.match(created.ARN!, /^arn:aws:secretsmanager:us-east-1:111122223333:secret:nitro-signer\/keys\/0xabc-[A-Za-z0-9]{6}$/);
  assert.ok(created.VersionId);
  const got = await client.send(new GetSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc" }));
  assert.is(got.SecretString, JSON.stringify({ version: 1 }));
  assert.equal(got.VersionStages, ["AWSCURRENT"]);
  assert.is(got.ARN, created.ARN);
  assert.instance(got.CreatedDate, Date);
  const byArn = await client.send(new GetSecretValueCommand({ SecretId: created.ARN! }));
  assert.is(byArn.VersionId, created.VersionId);
});

test("CreateSecret stores binary secrets", async () => {
  await client.send(new CreateSecretCommand({ Name: "binary-one", SecretBinary: new Uint8Array([0, 1, 2, 255]) }));
  const got = await client.send(new GetSecretValueCommand({ SecretId: "binary-one" }));
  assert.equal(Array.from(got.SecretBinary!), [0, 1, 2, 255]);
  assert.is(got.SecretString, undefined);
});

test("CreateSecret refuses an existing name with ResourceExistsException, and both value kinds with InvalidParameterException", async () => {
  const exists = await errorOf(client.send(new CreateSecretCommand({ Name: "binary-one", SecretString: "x" })));
  assert.instance(exists, ResourceExistsException);
  const both = await errorOf(client.send(new CreateSecretCommand({ Name: "both", SecretString: "x", SecretBinary: new Uint8Array([1]) })));
  assert.instance(both, InvalidParameterException);
  const badName = await errorOf(client.send(new CreateSecretCommand({ Name: "bad name!", SecretString: "x" })));
  assert.instance(badName, InvalidParameterException);
});

test("GetSecretValue of an unknown secret raises ResourceNotFoundException", async () => {
  const error = await errorOf(client.send(new GetSecretValueCommand({ SecretId: "nope" })));
  assert.instance(error, ResourceNotFoundException);
  assert.is(error.$metadata?.httpStatusCode, 400);
});

test("PutSecretValue moves AWSCURRENT and keeps AWSPREVIOUS; the token makes it idempotent", async () => {
  const first = await client.send(new GetSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc" }));
  const token = "11111111-2222-4333-8444-555555555555";
  const put = await client.send(new PutSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc", SecretString: "v2", ClientRequestToken: token }));
  assert.is(put.VersionId, token);
  const again = await client.send(new PutSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc", SecretString: "v2", ClientRequestToken: token }));
  assert.is(again.VersionId, token);
  const conflict = await errorOf(client.send(new PutSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc", SecretString: "v3", ClientRequestToken: token })));
  assert.instance(conflict, ResourceExistsException);
  assert.is((await client.send(new GetSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc" }))).SecretString, "v2");
  const previous = await client.send(new GetSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc", VersionStage: "AWSPREVIOUS" }));
  assert.is(previous.VersionId, first.VersionId);
  const described = await client.send(new DescribeSecretCommand({ SecretId: "nitro-signer/keys/0xabc" }));
  assert.equal(described.VersionIdsToStages, { [first.VersionId!]: ["AWSPREVIOUS"], [token]: ["AWSCURRENT"] });
  assert.is(described.Description, "Key record");
  assert.equal(described.Tags, [{ Key: "address", Value: "0xabc" }]);
});

test("ListSecrets filters by name prefix (case-sensitive), tag-key, tag-value and negation, and pages", async () => {
  await client.send(new CreateSecretCommand({ Name: "nitro-signer/keys/0xdef", SecretString: "{}", Tags: [{ Key: "address", Value: "0xdef" }] }));
  await client.send(new CreateSecretCommand({ Name: "other/thing", SecretString: "{}", Tags: [{ Key: "team", Value: "ops" }] }));
  const names = async (filters: { Key: "name" | "tag-key" | "tag-value" | "description"; Values: string[] }[]) =>
    ((await client.send(new ListSecretsCommand({ Filters: filters }))).SecretList ?? []).map((s) => s.Name).sort();
  assert.equal(await names([{ Key: "name", Values: ["nitro-signer/keys/"] }]), ["nitro-signer/keys/0xabc", "nitro-signer/keys/0xdef"]);
  assert.equal(await names([{ Key: "name", Values: ["NITRO"] }]), []);
  assert.equal(await names([{ Key: "tag-key", Values: ["address"] }]), ["nitro-signer/keys/0xabc", "nitro-signer/keys/0xdef"]);
  assert.equal(await names([{ Key: "tag-value", Values: ["0xd"] }]), ["nitro-signer/keys/0xdef"]);
  assert.equal(await names([{ Key: "name", Values: ["nitro-signer/"] }, { Key: "tag-value", Values: ["!0xd"] }]), ["nitro-signer/keys/0xabc"]);
  assert.equal(await names([{ Key: "description", Values: ["key REC"] }]), ["nitro-signer/keys/0xabc"]);
  const page1 = await client.send(new ListSecretsCommand({ MaxResults: 2 }));
  assert.is(page1.SecretList?.length, 2);
  assert.ok(page1.NextToken);
  const page2 = await client.send(new ListSecretsCommand({ MaxResults: 2, NextToken: page1.NextToken }));
  const all = [...page1.SecretList!, ...(page2.SecretList ?? [])].map((s) => s.Name);
  assert.is(new Set(all).size, 4);
});

test("TagResource adds and replaces tags", async () => {
  await client.send(new TagResourceCommand({ SecretId: "other/thing", Tags: [{ Key: "team", Value: "dev" }, { Key: "env", Value: "local" }] }));
  const described = await client.send(new DescribeSecretCommand({ SecretId: "other/thing" }));
  assert.equal(described.Tags, [{ Key: "team", Value: "dev" }, { Key: "env", Value: "local" }]);
});

test("DeleteSecret schedules deletion (reads then fail with InvalidRequestException), RestoreSecret undoes it, force deletes", async () => {
  const deleted = await client.send(new DeleteSecretCommand({ SecretId: "other/thing", RecoveryWindowInDays: 7 }));
  assert.instance(deleted.DeletionDate, Date);
  assert.instance(await errorOf(client.send(new GetSecretValueCommand({ SecretId: "other/thing" }))), InvalidRequestException);
  const listed = await client.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["other/"] }] }));
  assert.is(listed.SecretList?.length, 0);
  await client.send(new RestoreSecretCommand({ SecretId: "other/thing" }));
  assert.is((await client.send(new GetSecretValueCommand({ SecretId: "other/thing" }))).SecretString, "{}");
  await client.send(new DeleteSecretCommand({ SecretId: "other/thing", ForceDeleteWithoutRecovery: true }));
  assert.instance(await errorOf(client.send(new GetSecretValueCommand({ SecretId: "other/thing" }))), ResourceNotFoundException);
  const both = await errorOf(client.send(new DeleteSecretCommand({ SecretId: "binary-one", ForceDeleteWithoutRecovery: true, RecoveryWindowInDays: 7 })));
  assert.instance(both, InvalidParameterException);
});

test("secrets persist in the state directory across a restart", async () => {
  await sm.close();
  sm = await startSecretsManagerStandIn({ stateDir });
  const restarted = clientFor(creds.host);
  const got = await restarted.send(new GetSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc" }));
  assert.is(got.SecretString, "v2");
  restarted.destroy();
  client.destroy();
  client = clientFor(creds.admin);
});

test("a request signed with a wrong secret key fails with InvalidSignatureException", async () => {
  const wrong = clientFor({ ...creds.admin, secretAccessKey: "x".repeat(40) });
  const error = await errorOf(wrong.send(new GetSecretValueCommand({ SecretId: "nitro-signer/keys/0xabc" })));
  assert.is(error.name, "InvalidSignatureException");
  wrong.destroy();
});

test("an unknown access key fails with UnrecognizedClientException", async () => {
  const unknown = clientFor({ accessKeyId: "AKIAAAAAAAAAAAAAAAAA", secretAccessKey: "y".repeat(40), principalArn: "x" });
  assert.is((await errorOf(unknown.send(new ListSecretsCommand({})))).name, "UnrecognizedClientException");
  unknown.destroy();
});

test("a client that does not trust the local CA cannot connect", async () => {
  const untrusting = clientFor(creds.admin, { ca: null });
  const error = await errorOf(untrusting.send(new ListSecretsCommand({})));
  assert.match(String((error as { code?: string }).code ?? error.message), /SELF_SIGNED|UNABLE_TO_VERIFY|self-signed|certificate/i);
  untrusting.destroy();
});

test("temporary credentials: session token required, and expired tokens fail with ExpiredTokenException", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sm-sts-"));
  const live: LocalCredential = { accessKeyId: "ASIALIVEAAAAAAAAAAAA", secretAccessKey: "s".repeat(40), sessionToken: "token-live", expiration: Date.now() + 3_600_000, principalArn: "arn:aws:iam::111122223333:role/nitro-signer-instance" };
  const expired: LocalCredential = { ...live, accessKeyId: "ASIAEXPIREDAAAAAAAAA", sessionToken: "token-old", expiration: Date.now() - 1000 };
  const other = await startSecretsManagerStandIn({ stateDir: dir, credentials: [live, expired] });
  const make = (c: LocalCredential) => {
    const agent = new Agent({ ca: other.caPem });
    agents.push(agent);
    return new SecretsManagerClient({ region: other.region, endpoint: other.url, maxAttempts: 1, requestHandler: { httpsAgent: agent }, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}) } });
  };
  try {
    const ok = make(live);
    assert.equal((await ok.send(new ListSecretsCommand({}))).SecretList, []);
    const noToken = make({ ...live, sessionToken: undefined as unknown as string });
    assert.is((await errorOf(noToken.send(new ListSecretsCommand({})))).name, "UnrecognizedClientException");
    const wrongToken = make({ ...live, sessionToken: "token-forged" });
    assert.is((await errorOf(wrongToken.send(new ListSecretsCommand({})))).name, "UnrecognizedClientException");
    const old = make(expired);
    assert.is((await errorOf(old.send(new ListSecretsCommand({})))).name, "ExpiredTokenException");
    for (const c of [ok, noToken, wrongToken, old]) c.destroy();
  } finally {
    await other.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a clock more than 15 minutes off fails with InvalidSignatureException (Signature expired)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sm-skew-"));
  const skewed = await startSecretsManagerStandIn({ stateDir: dir, credentials: [creds.admin], clock: () => Date.now() + 20 * 60_000 });
  const agent = new Agent({ ca: skewed.caPem });
  agents.push(agent);
  const c = new SecretsManagerClient({ region: skewed.region, endpoint: skewed.url, maxAttempts: 1, requestHandler: { httpsAgent: agent }, credentials: { accessKeyId: creds.admin.accessKeyId, secretAccessKey: creds.admin.secretAccessKey } });
  try {
    const error = await errorOf(c.send(new ListSecretsCommand({})));
    assert.is(error.name, "InvalidSignatureException");
    assert.match(error.message, /Signature expired/);
  } finally {
    c.destroy();
    await skewed.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("startSecretsManagerStandIn() refuses a non-loopback host", async () => {
  const error = await errorOf(startSecretsManagerStandIn({ stateDir, host: "0.0.0.0" }));
  assert.instance(error, RangeError);
});

test.run();
