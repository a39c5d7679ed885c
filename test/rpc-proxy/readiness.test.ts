import { test } from "uvu";
import * as assert from "uvu/assert";
import { startProxyFixture, type ProxyFixture } from "./proxy_fixture.ts";

// GET /readyz follows the signer and the node going away and coming back; GET /readyz/signer (the load balancer's
// health check) follows only the signer; GET /healthz stays up throughout.
let f: ProxyFixture;
test.before(async () => {
  f = await startProxyFixture();
});
test.after(() => f.stop());

const readyz = async () => {
  const response = await fetch(`${f.url}/readyz`);
  return { status: response.status, body: await response.json() };
};
const parts = (body: any) => ({ signer: body.checks.signer.ready, upstream: body.checks.upstream.ready, keys: body.checks.keys.ready });
const healthy = async () => (await fetch(`${f.url}/healthz`)).status === 200;
const signerReady = async () => {
  const response = await fetch(`${f.url}/readyz/signer`);
  const body = await response.json();
  assert.equal(Object.keys(body.checks), ["signer"]);
  return response.status === 200 && body.ready === true;
};

test("ready when the signer answers describe, the node answers eth_chainId and a key is loaded", async () => {
  const { status, body } = await readyz();
  assert.is(status, 200);
  assert.is(body.ready, true);
  assert.equal(parts(body), { signer: true, upstream: true, keys: true });
  assert.match(body.checks.upstream.detail, /chain 0x7a69/);
});

test("the signer stops: 503 naming the signer (and keys unknown); back without keys: still 503 for keys; a key: ready", async () => {
  await f.stopSigner();
  let r = await readyz();
  assert.is(r.status, 503);
  assert.equal(parts(r.body), { signer: false, upstream: true, keys: false });
  assert.ok(await healthy());
  assert.is(await signerReady(), false);
  await f.startSigner();
  r = await readyz();
  assert.is(r.status, 503);
  assert.equal(parts(r.body), { signer: true, upstream: true, keys: false });
  assert.is(r.body.checks.keys.detail, "no keys loaded");
  assert.is(await signerReady(), true, "the enclave answers: healthy for the load balancer, keys or not");
  await f.signer.request("keys.generate", {});
  r = await readyz();
  assert.is(r.status, 200);
  assert.equal(parts(r.body), { signer: true, upstream: true, keys: true });
});

test("the node stops: 503 naming the upstream; it comes back: ready", async () => {
  await f.stopNode();
  let r = await readyz();
  assert.is(r.status, 503);
  assert.equal(parts(r.body), { signer: true, upstream: false, keys: true });
  assert.ok(await healthy());
  assert.is(await signerReady(), true, "a node outage does not take the instance out of the load balancer");
  await f.startNode();
  r = await readyz();
  assert.is(r.status, 200);
  assert.equal(parts(r.body), { signer: true, upstream: true, keys: true });
});

test.run();
