import { test } from "uvu";
import * as assert from "uvu/assert";
import { createImdsClient } from "../../../host-agent/imds/create_imds_client.ts";
import { ImdsError } from "../../../host-agent/imds/imds_error.ts";
import { startImdsStandIn, type ImdsStandIn } from "../../../local/imds/start_imds_stand_in_node.ts";

// The host-agent's IMDSv2 client against the IMDS stand-in over real HTTP (token required, TTL header
// enforced, tokens expire, credentials expire).
let imds: ImdsStandIn;
let now = Date.parse("2026-11-26T00:00:00Z");
const clock = () => now;

test.before(async () => {
  imds = await startImdsStandIn({ clock, region: "ap-southeast-2", instanceId: "i-0abcdef1234567890" });
});
test.after(() => imds.close());

const tokenRequests = () => imds.requests.filter((r) => r.path === "/latest/api/token").length;

const expectCode = async (promise: Promise<unknown>, code: string) => {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, ImdsError);
    assert.is((error as ImdsError).code, code, (error as Error).message);
    return error as ImdsError;
  }
  assert.unreachable(`expected ${code}`);
};

test("region, instance id and credentials come back with one session token, sent on every GET", async () => {
  const client = createImdsClient({ endpoint: imds.url, clock, tokenTtlSeconds: 300 });
  const before = tokenRequests();
  assert.is(await client.region(), "ap-southeast-2");
  assert.is(await client.instanceId(), "i-0abcdef1234567890");
  const credentials = await client.credentials();
  assert.match(credentials.accessKeyId, /^ASIA/);
  assert.ok(credentials.sessionToken.length > 0);
  assert.instance(credentials.expiration, Date);
  assert.is(credentials.accessKeyId, imds.issued().at(-1)!.accessKeyId);
  assert.is(tokenRequests() - before, 1, "one token for all calls");
  assert.ok(imds.requests.filter((r) => r.method === "GET").every((r) => r.token === "valid"), "no GET without a valid token");
});

test("the token is renewed before its TTL runs out, and a 401 (expired token) is retried once with a new one", async () => {
  const client = createImdsClient({ endpoint: imds.url, clock, tokenTtlSeconds: 100 });
  await client.instanceId();
  const before = tokenRequests();
  now += 95_000; // past 90% of the TTL: renewed proactively
  await client.instanceId();
  assert.is(tokenRequests() - before, 1);
  // A token the server no longer accepts while the client's clock says it is fresh: 401, new token, retry.
  const frozen = now;
  const stale = createImdsClient({ endpoint: imds.url, clock: () => frozen, tokenTtlSeconds: 60 });
  await stale.instanceId();
  now += 61_000;
  const retriesBefore = tokenRequests();
  assert.is(await stale.instanceId(), "i-0abcdef1234567890");
  assert.is(tokenRequests() - retriesBefore, 1, "exactly one new token after the 401");
  assert.ok(imds.requests.some((r) => r.token === "invalid"), "the stale token was tried and refused");
});

test("credentials that IMDS serves already expired are refused with IMDS_CREDENTIALS_EXPIRED", async () => {
  const client = createImdsClient({ endpoint: imds.url, clock });
  imds.setServeExpired(true);
  try {
    const error = await expectCode(client.credentials(), "IMDS_CREDENTIALS_EXPIRED");
    assert.not.match(error!.message, imds.issued().at(-1)!.secretAccessKey);
  } finally {
    imds.setServeExpired(false);
  }
  assert.ok((await client.credentials()).expiration.getTime() > now);
});

test("an instance without a role reports IMDS_NO_ROLE", async () => {
  const bare = await startImdsStandIn({ clock, roleName: null });
  try {
    await expectCode(createImdsClient({ endpoint: bare.url, clock }).credentials(), "IMDS_NO_ROLE");
  } finally {
    await bare.close();
  }
});

test("IMDS answering 503, or not listening at all, is IMDS_UNAVAILABLE", async () => {
  imds.setUnavailable(true);
  try {
    await expectCode(createImdsClient({ endpoint: imds.url, clock }).region(), "IMDS_UNAVAILABLE");
  } finally {
    imds.setUnavailable(false);
  }
  const gone = await startImdsStandIn({ clock });
  const url = gone.url;
  await gone.close();
  await expectCode(createImdsClient({ endpoint: url, clock, timeoutMs: 1000 }).region(), "IMDS_UNAVAILABLE");
});

test("the TTL asked for is what the token request carries; bad options are refused up front", async () => {
  const seen: string[] = [];
  const client = createImdsClient({
    endpoint: "http://imds.test",
    tokenTtlSeconds: 42,
    fetch: async (url, init) => {
      const headers = new Headers(init.headers);
      seen.push(`${init.method} ${url} ttl=${headers.get("x-aws-ec2-metadata-token-ttl-seconds")} token=${headers.get("x-aws-ec2-metadata-token")}`);
      return url.endsWith("/api/token") ? new Response("T0KEN", { headers: { "x-aws-ec2-metadata-token-ttl-seconds": "42" } }) : new Response("us-east-1");
    },
  });
  assert.is(await client.region(), "us-east-1");
  assert.equal(seen, [
    "PUT http://imds.test/latest/api/token ttl=42 token=null",
    "GET http://imds.test/latest/meta-data/placement/region ttl=null token=T0KEN",
  ]);
  assert.throws(() => createImdsClient({ tokenTtlSeconds: 0 }), /TTL/);
  assert.throws(() => createImdsClient({ tokenTtlSeconds: 21601 }), /TTL/);
  assert.throws(() => createImdsClient({ endpoint: "ftp://x" }), /endpoint/);
});

test("malformed credentials JSON is IMDS_BAD_RESPONSE, without echoing the body", async () => {
  const client = createImdsClient({
    endpoint: "http://imds.test",
    fetch: async (url) =>
      url.endsWith("/api/token") ? new Response("T")
      : url.endsWith("security-credentials/") ? new Response("role")
      : new Response(JSON.stringify({ Code: "Success", AccessKeyId: "ASIAXXXXXXXXXXXXXXXX", SecretAccessKey: "very-secret-value", Token: "t" })),
  });
  const error = await expectCode(client.credentials(), "IMDS_BAD_RESPONSE");
  assert.match(error!.message, /Expiration/);
  assert.not.match(error!.message, /very-secret-value/);
});

test.run();
