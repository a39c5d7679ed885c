import { test } from "uvu";
import * as assert from "uvu/assert";
import { recoverMessageAddress, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { parseApiKeys } from "../../rpc-proxy/auth/parse_api_keys.ts";
import { createRpcProxy, type CreateRpcProxyOptions } from "../../rpc-proxy/create_rpc_proxy.ts";
import { ANVIL_LIKE, fakeSigner, fakeUpstream, TEST_KEY } from "./fakes.ts";

// CORS with `--cors-origins *`, alone and with API keys: a page on any site may call the proxy, the preflight is
// answered without a key (browsers never send credentials on one), the key travels in Authorization (which must
// be allowed by name: `*` in Access-Control-Allow-Headers does not cover it), and a request without a valid key is
// still refused, with the CORS headers on the refusal so the page can read why.
const account = privateKeyToAccount(TEST_KEY).address;
const KEY = "cors-test-key-0123456789";

function proxy(options: Partial<CreateRpcProxyOptions> = {}) {
  return createRpcProxy({ signer: fakeSigner(), upstream: fakeUpstream({ ...ANVIL_LIKE }), ...options });
}
const preflight = (origin: string, headers = "content-type") => ({
  method: "OPTIONS",
  headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": headers },
});
const post = (origin: string, body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { origin, "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const sign = { jsonrpc: "2.0", id: 1, method: "personal_sign", params: [toHex("from a page"), account] };

test("--cors-origins *: a preflight and a request from any origin are answered with Access-Control-Allow-Origin *", async () => {
  const app = proxy({ corsOrigins: ["*"] });
  for (const origin of ["https://app.example", "https://any.other.example", "http://localhost:3000"]) {
    const pre = await app.request("/", preflight(origin));
    assert.ok(pre.status === 204 || pre.status === 200, `${origin}: ${pre.status}`);
    assert.is(pre.headers.get("access-control-allow-origin"), "*", origin);
    assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
    const reply = await app.request("/", post(origin, sign));
    assert.is(reply.status, 200);
    assert.is(reply.headers.get("access-control-allow-origin"), "*");
    assert.is(await recoverMessageAddress({ message: "from a page", signature: (await reply.json()).result }), account);
  }
});

test("--cors-origins * with API keys: the preflight needs no key and allows Authorization; the key is still required", async () => {
  const app = proxy({ corsOrigins: ["*"], apiKeys: parseApiKeys([{ name: "page", key: KEY, accounts: ["*"], methods: ["sign"] }]) });
  const origin = "https://wallet.example";
  const pre = await app.request("/", preflight(origin, "authorization,content-type"));
  assert.ok(pre.status === 204 || pre.status === 200, `preflight without a key: ${pre.status}`);
  assert.is(pre.headers.get("access-control-allow-origin"), "*");
  assert.match(pre.headers.get("access-control-allow-headers") ?? "", /(^|,\s*)Authorization(\s*,|$)/i);

  const ok = await app.request("/", post(origin, sign, { authorization: `Bearer ${KEY}` }));
  assert.is(ok.status, 200);
  assert.is(ok.headers.get("access-control-allow-origin"), "*");
  assert.is(await recoverMessageAddress({ message: "from a page", signature: (await ok.json()).result }), account);

  for (const headers of [{}, { authorization: "Bearer wrong-key-0123456789" }]) {
    const refused = await app.request("/", post(origin, sign, headers));
    assert.is(refused.status, 401, JSON.stringify(headers));
    assert.is(refused.headers.get("access-control-allow-origin"), "*", "the page can read the refusal");
    assert.is((await refused.json()).error.code, 4100);
  }
  const send = await app.request("/", post(origin, { ...sign, method: "eth_sendTransaction", params: [{ from: account, to: account }] }, { authorization: `Bearer ${KEY}` }));
  assert.is((await send.json()).error.code, 4100, "the key's method groups still apply");
});

test.run();
