import { test } from "uvu";
import * as assert from "uvu/assert";
import { request } from "node:http";
import { parseApiKeys } from "../../rpc-proxy/auth/parse_api_keys.ts";
import { call } from "../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "./proxy_fixture.ts";

// What a web page can make a browser send, against the real proxy (real Anvil, real Deno signer): bodies a browser
// sends cross-site without a preflight, another site's Origin, a DNS-rebound Host. Each is refused before anything
// runs, with and without API keys and CORS settings, and afterwards the account's nonce and the proxy's signer
// metrics show that nothing was signed or sent.

const KEY = "browser-test-key-3b9d1f7a";
type Reply = { status: number; body: string };

/** A raw HTTP POST, so that Host, Origin and Content-Type are exactly what a browser would put there. */
function post(url: string, headers: Record<string, string>, body: string): Promise<Reply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, path: "/", method: "POST", headers: { ...headers, "content-length": Buffer.byteLength(body) } }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Signatures the proxy asked the signer for, from its own Prometheus metrics. */
async function signerSignCalls(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text.split("\n")
    .filter((line) => line.startsWith('rpc_proxy_signer_round_trip_seconds_count{method="sign.'))
    .reduce((sum, line) => sum + Number(line.split(" ").pop()), 0);
}

function attacks(f: ProxyFixture) {
  const { port } = new URL(f.url);
  const send = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendTransaction", params: [{ from: f.account, to: f.account, value: "0x1" }] });
  const sign = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "personal_sign", params: ["0x68656c6c6f", f.account] });
  const form = `${encodeURIComponent(send)}=`;
  const host = `127.0.0.1:${port}`;
  return [
    { name: "text/plain from another site", status: 403, headers: { host, "content-type": "text/plain", origin: "https://evil.example" }, body: send },
    { name: "text/plain without Origin (a plain HTML form)", status: 415, headers: { host, "content-type": "text/plain;charset=UTF-8" }, body: send },
    { name: "urlencoded form", status: 415, headers: { host, "content-type": "application/x-www-form-urlencoded" }, body: form },
    { name: "multipart form", status: 415, headers: { host, "content-type": "multipart/form-data; boundary=x" }, body: `--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n${send}\r\n--x--\r\n` },
    { name: "no Content-Type", status: 415, headers: { host }, body: send },
    { name: "JSON from a foreign Origin", status: 403, headers: { host, "content-type": "application/json", origin: "https://evil.example" }, body: send },
    { name: "JSON from a sandboxed page (Origin: null)", status: 403, headers: { host, "content-type": "application/json", origin: "null" }, body: sign },
    { name: "DNS-rebound Host", status: 403, headers: { host: `attacker.rebind.example:${port}`, "content-type": "application/json" }, body: sign },
    { name: "DNS-rebound Host, text/plain", status: 403, headers: { host: `attacker.rebind.example:${port}`, "content-type": "text/plain" }, body: send },
  ];
}

async function assertRefusedAndNothingSigned(f: ProxyFixture, extra: Record<string, string> = {}) {
  const nonce = await call(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]);
  const signed = await signerSignCalls(f.url);
  for (const attack of attacks(f)) {
    const reply = await post(f.url, { ...attack.headers, ...extra }, attack.body);
    assert.is(reply.status, attack.status, attack.name);
    assert.not.match(reply.body, /"result"/, attack.name);
  }
  assert.is(await call(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]), nonce, "a transaction was sent");
  assert.is(await signerSignCalls(f.url), signed, "the signer was asked to sign");
}

test("no API keys, CORS off: every browser-shaped request is refused and nothing is signed; a JSON client still signs", async () => {
  const f = await startProxyFixture();
  try {
    await assertRefusedAndNothingSigned(f);
    const { port } = new URL(f.url);
    const ok = await post(f.url, { host: `localhost:${port}`, "content-type": "application/json; charset=utf-8" }, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "personal_sign", params: ["0x68656c6c6f", f.account] }));
    assert.is(ok.status, 200);
    assert.match(JSON.parse(ok.body).result, /^0x[0-9a-f]{130}$/);
    assert.ok(f.lines.some((l) => JSON.parse(l).outcome === "forbidden_host"));
  } finally {
    await f.stop();
  }
});

test("--cors-origins https://app.example: that origin is served with CORS headers, any other is refused before it runs", async () => {
  const f = await startProxyFixture({ corsOrigins: ["https://app.example"] });
  try {
    await assertRefusedAndNothingSigned(f);
    const { port } = new URL(f.url);
    const ok = await post(f.url, { host: `127.0.0.1:${port}`, "content-type": "application/json", origin: "https://app.example" }, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" }));
    assert.is(ok.status, 200);
    const preflight = await fetch(f.url, { method: "OPTIONS", headers: { origin: "https://evil.example", "access-control-request-method": "POST" } });
    assert.is(preflight.status, 403);
    assert.is(preflight.headers.get("access-control-allow-origin"), null);
  } finally {
    await f.stop();
  }
});

test("with API keys, a valid key does not lift the browser checks; --allowed-hosts * and --cors-origins * do, each for its own check", async () => {
  const apiKeys = parseApiKeys([{ name: "app", key: KEY, accounts: ["*"], methods: ["*"] }]);
  const f = await startProxyFixture({ apiKeys });
  try {
    await assertRefusedAndNothingSigned(f, { authorization: `Bearer ${KEY}` });
  } finally {
    await f.stop();
  }
  const open = await startProxyFixture({ apiKeys, allowedHosts: ["*"], corsOrigins: ["*"] });
  try {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId" });
    const rebound = await post(open.url, { host: "signer.behind.a.balancer", origin: "https://any.example", "content-type": "application/json", authorization: `Bearer ${KEY}` }, body);
    assert.is(rebound.status, 200);
    const text = await post(open.url, { host: "signer.behind.a.balancer", "content-type": "text/plain", authorization: `Bearer ${KEY}` }, body);
    assert.is(text.status, 415, "Content-Type is never lifted");
  } finally {
    await open.stop();
  }
});

test("an API keys list that is empty refuses every JSON-RPC request with 401", async () => {
  const f = await startProxyFixture({ apiKeys: [] });
  try {
    const { port } = new URL(f.url);
    const reply = await post(f.url, { host: `127.0.0.1:${port}`, "content-type": "application/json", authorization: `Bearer ${KEY}` }, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }));
    assert.is(reply.status, 401);
    assert.is(JSON.parse(reply.body).error.code, 4100);
  } finally {
    await f.stop();
  }
});

test.run();
