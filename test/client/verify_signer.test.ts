import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { parseApiKeys } from "../../rpc-proxy/mod.ts";
import { AttestationError, verifySigner } from "../../client/mod.ts";
import { type ClientStack, refusal, startClientStack } from "./client_fixture.ts";

// verifySigner against the local stack behind API keys: one that sees every account, one limited to an account the
// signer does not hold (so eth_accounts lists fewer accounts than the document binds).
const FULL = "full-key-0123456789abcdef";
const LIMITED = "limited-key-0123456789abcdef";
const stranger = privateKeyToAccount(generatePrivateKey()).address;
let stack: ClientStack;
test.before(async () => {
  stack = await startClientStack({
    proxy: {
      apiKeys: parseApiKeys([
        { name: "full", key: FULL, accounts: ["*"], methods: ["*"] },
        { name: "limited", key: LIMITED, accounts: [stranger], methods: ["*"] },
      ]),
    },
  });
});
test.after(() => stack.stop());

const headers = (key: string) => ({ fetchOptions: { headers: { authorization: `Bearer ${key}` } } });
const good = () => ({ pcrs: { 0: stack.pcr0 }, root: stack.rootPem, ...headers(FULL) });

test("verifySigner returns what it verified: PCRs, accounts, their policies, the document's time and nonce", async () => {
  const started = Date.now();
  const verified = await verifySigner(stack.url, good());
  assert.equal(verified.accounts, [stack.account]);
  assert.equal(verified.policies, { [stack.account.toLowerCase()]: "unrestricted" });
  assert.is(verified.pcrs[0], `0x${stack.pcr0.replace(/^0x/, "").toLowerCase()}`);
  assert.ok(verified.timestamp.getTime() >= started - 1_000 && verified.timestamp.getTime() <= Date.now() + 1_000);
  assert.match(verified.nonce, /^0x[0-9a-f]{64}$/);
  assert.ok(verified.moduleId.length > 0);
});

test("verifySigner: each run sends a fresh nonce", async () => {
  const [a, b] = await Promise.all([verifySigner(stack.url, good()), verifySigner(stack.url, good())]);
  assert.is.not(a.nonce, b.nonce);
});

test("verifySigner: accounts and policies the caller requires", async () => {
  await verifySigner(stack.url, { ...good(), accounts: [stack.account.toLowerCase()], policies: { [stack.account]: "unrestricted" } });
  const missing = await refusal(() => verifySigner(stack.url, { ...good(), accounts: [stranger] }), "accounts");
  assert.is(missing.code, "accounts");
  const digest = `0x${"11".repeat(32)}` as Hex;
  const wrong = await refusal(() => verifySigner(stack.url, { ...good(), policies: { [stack.account]: digest } }), "policies");
  assert.is(wrong.code, "policy");
  assert.match(wrong.message, `governed by unrestricted, expected ${digest}`);
});

test("verifySigner: an API key limited to some accounts cannot recompute the digest, and the error says so", async () => {
  const error = await refusal(() => verifySigner(stack.url, { ...good(), ...headers(LIMITED) }), "limited key");
  assert.is(error.code, "accounts");
  assert.is(error.check, "user-data");
  assert.match(error.message, /API key limited to some accounts/);
});

test("verifySigner: no API key is a transport error that names the URL without credentials", async () => {
  const url = new URL(stack.url);
  url.username = "user";
  url.password = "secret-password";
  url.searchParams.set("key", "secret-query");
  const error = await refusal(() => verifySigner(url.toString(), { pcrs: { 0: stack.pcr0 }, root: stack.rootPem }), "no key");
  assert.is(error.code, "transport");
  assert.not.match(error.message, /secret/);
});

test("verifySigner validates its arguments first", async () => {
  for (const [url, options] of [
    ["ftp://example.com", { pcrs: { 0: "00" } }],
    [stack.url, { pcrs: {} }],
    [stack.url, { pcrs: { 0: stack.pcr0 }, accounts: ["0x12"] }],
    [stack.url, { pcrs: { 0: stack.pcr0 }, policies: { [stack.account]: "anything" } }],
  ] as const) {
    const error = await verifySigner(url, options as never).then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TypeError, `${url} ${JSON.stringify(options)}: ${String(error)}`);
    assert.not.ok(error instanceof AttestationError);
  }
  const age = await verifySigner(stack.url, { pcrs: { 0: stack.pcr0 }, maxAgeMs: 0 }).then(() => undefined, (e: unknown) => e);
  assert.ok(age instanceof RangeError);
});

test.run();
