import { test } from "uvu";
import * as assert from "uvu/assert";
import { checkBrowserRequest } from "../../../rpc-proxy/mod.ts";

// The Host check alone (browser_requests.test.ts runs the attacks against a real proxy): which Host headers each
// --allowed-hosts entry lets through, ports, case, IPv6 with and without brackets.

const allowed = (host: string, allowedHosts: string[]) =>
  checkBrowserRequest(new Headers({ host, "content-type": "application/json" }), { allowedHosts, corsOrigins: [], jsonBody: true }) === undefined;

test("a Host is allowed by its host name, whatever its port and case", () => {
  assert.ok(allowed("localhost:8545", ["localhost"]));
  assert.ok(allowed("LocalHost", ["localhost"]));
  assert.ok(allowed("127.0.0.1:8545", ["localhost", "127.0.0.1"]));
  assert.ok(allowed("signer.internal:443", ["SIGNER.internal"]));
  assert.ok(allowed("localhost", [" localhost "]));
});

test("IPv6: a bracketed Host matches the address with or without brackets in the list", () => {
  assert.ok(allowed("[::1]:8545", ["[::1]"]));
  assert.ok(allowed("[::1]", ["::1"]));
  assert.ok(allowed("[fe80::1]:80", ["fe80::1"]));
  assert.not.ok(allowed("[::2]:8545", ["[::1]"]));
});

test("a name that only starts or ends like an allowed one is refused, as is any name not listed", () => {
  assert.not.ok(allowed("localhost.evil.example:8545", ["localhost"]));
  assert.not.ok(allowed("evil-localhost", ["localhost"]));
  assert.not.ok(allowed("127.0.0.1:8545", ["localhost"]));
  assert.not.ok(allowed("attacker.rebind.example", ["localhost", "127.0.0.1", "[::1]"]));
  assert.ok(allowed("attacker.rebind.example", ["*"]));
});

test.run();
