import { test } from "uvu";
import * as assert from "uvu/assert";
import { call, rpc } from "../../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "../proxy_fixture.ts";

// eth_sendTransaction and eth_signTransaction name the caller's malformed field, by the same rules the signer
// applies, before anything reaches the node or the signer (real proxy, Anvil and signer).

let f: ProxyFixture;
test.before(async () => {
  f = await startProxyFixture();
});
test.after(() => f.stop());

test("a malformed field is -32602 naming it as params[0].<field>, for both methods, and nothing is sent", async () => {
  const nonce = await call(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]);
  const cases: [Record<string, unknown>, string][] = [
    [{ to: "0x7099" }, "params[0].to: expected a 20-byte address"],
    [{ to: "0x70997970c51812dc3a010c7d01b50e0d17dc79C8" }, "params[0].to: mixed-case address with a wrong EIP-55 checksum"],
    [{ value: "0x01" }, "params[0].value: expected a hex quantity"],
    [{ value: 1 }, "params[0].value: expected a hex quantity"],
    [{ gas: "0x10000000000000000" }, "params[0].gas: exceeds 64 bits"],
    [{ data: "0x123" }, "params[0].data: expected 0x-prefixed hex bytes"],
    [{ chainId: "0x07a69" }, "params[0].chainId: expected a hex quantity"],
  ];
  for (const method of ["eth_sendTransaction", "eth_signTransaction"]) {
    for (const [fields, message] of cases) {
      const { json } = await rpc(f.url, { jsonrpc: "2.0", id: 1, method, params: [{ from: f.account, to: f.account, ...fields }] });
      assert.is(json.error?.code, -32602, `${method} ${JSON.stringify(fields)}`);
      assert.ok(json.error.message.includes(message), `${json.error.message} should say ${message}`);
    }
    const { json } = await rpc(f.url, { jsonrpc: "2.0", id: 1, method, params: [{ from: "0x1234", to: f.account }] });
    assert.match(json.error.message, /params\[0\]\.from: expected a 20-byte address/);
  }
  assert.is(await call(f.upstreamUrl, "eth_getTransactionCount", [f.account, "pending"]), nonce);
});

test.run();
