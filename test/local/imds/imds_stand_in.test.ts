import { test } from "uvu";
import * as assert from "uvu/assert";
import { startImdsStandIn, type ImdsStandIn } from "../../../local/imds/start_imds_stand_in_node.ts";

// The IMDSv2 stand-in over real HTTP on loopback: it must refuse what the real IMDS refuses, or the client's
// tests prove nothing.
let imds: ImdsStandIn;
let now = Date.parse("2026-11-26T00:00:00Z");

test.before(async () => {
  imds = await startImdsStandIn({ clock: () => now, region: "eu-west-1", instanceId: "i-0abcdef1234567890" });
});
test.after(() => imds.close());

const token = async (ttl = "60") => {
  const response = await fetch(`${imds.url}/latest/api/token`, { method: "PUT", headers: { "X-aws-ec2-metadata-token-ttl-seconds": ttl } });
  return { status: response.status, ttl: response.headers.get("x-aws-ec2-metadata-token-ttl-seconds"), body: await response.text() };
};
const get = async (path: string, value?: string) => {
  const response = await fetch(`${imds.url}${path}`, { headers: value === undefined ? {} : { "X-aws-ec2-metadata-token": value } });
  return { status: response.status, body: await response.text() };
};

test("a GET without a session token is refused with 401 (IMDSv1 is off)", async () => {
  assert.is((await get("/latest/meta-data/instance-id")).status, 401);
});

test("PUT /latest/api/token without the TTL header, or with a TTL out of 1…21600, is a 400", async () => {
  const response = await fetch(`${imds.url}/latest/api/token`, { method: "PUT" });
  assert.is(response.status, 400);
  assert.is((await token("0")).status, 400);
  assert.is((await token("21601")).status, 400);
  assert.is((await token("abc")).status, 400);
});

test("a token request that went through a proxy (X-Forwarded-For) is refused", async () => {
  const response = await fetch(`${imds.url}/latest/api/token`, {
    method: "PUT",
    headers: { "X-aws-ec2-metadata-token-ttl-seconds": "60", "X-Forwarded-For": "10.0.0.1" },
  });
  assert.is(response.status, 403);
});

test("a token answers with its TTL and opens the metadata until it expires", async () => {
  const t = await token("60");
  assert.is(t.status, 200);
  assert.is(t.ttl, "60");
  assert.equal(await get("/latest/meta-data/instance-id", t.body), { status: 200, body: "i-0abcdef1234567890" });
  assert.equal(await get("/latest/meta-data/placement/region", t.body), { status: 200, body: "eu-west-1" });
  now += 61_000;
  assert.is((await get("/latest/meta-data/instance-id", t.body)).status, 401);
});

test("role credentials are temporary (ASIA…, session token, Expiration) and reissued before they expire", async () => {
  const t = (await token("21600")).body;
  const role = (await get("/latest/meta-data/iam/security-credentials/", t)).body;
  assert.is(role, "nitro-signer-instance");
  const first = JSON.parse((await get(`/latest/meta-data/iam/security-credentials/${role}`, t)).body);
  assert.is(first.Code, "Success");
  assert.match(first.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.ok(first.Token.length > 0);
  assert.ok(Date.parse(first.Expiration) > now);
  const again = JSON.parse((await get(`/latest/meta-data/iam/security-credentials/${role}`, t)).body);
  assert.is(again.AccessKeyId, first.AccessKeyId, "same set while far from expiry");
  now = Date.parse(first.Expiration) - 60_000;
  const t2 = (await token("60")).body;
  const rotated = JSON.parse((await get(`/latest/meta-data/iam/security-credentials/${role}`, t2)).body);
  assert.is.not(rotated.AccessKeyId, first.AccessKeyId);
  assert.is(imds.acceptedCredentials().length, 2);
});

test("serveExpired makes IMDS hand out credentials whose Expiration has passed", async () => {
  imds.setServeExpired(true);
  try {
    const t = (await token()).body;
    const c = JSON.parse((await get("/latest/meta-data/iam/security-credentials/nitro-signer-instance", t)).body);
    assert.ok(Date.parse(c.Expiration) < now);
  } finally {
    imds.setServeExpired(false);
  }
});

test("unknown paths are 404 with a valid token", async () => {
  const t = (await token()).body;
  assert.is((await get("/latest/meta-data/nope", t)).status, 404);
  assert.is((await get("/latest/meta-data/iam/security-credentials/other-role", t)).status, 404);
});

test.run();
