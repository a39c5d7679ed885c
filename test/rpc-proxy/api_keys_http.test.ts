import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { FetchRequest, JsonRpcProvider } from "ethers";
import { createWalletClient, http, recoverMessageAddress, type Hex } from "viem";
import { foundry } from "viem/chains";
import { binaryPath } from "../../local/binaries_node.ts";
import { parseApiKeys } from "../../rpc-proxy/auth/parse_api_keys.ts";
import { rpc } from "../helpers/rpc.ts";
import { startProxyFixture, type ProxyFixture } from "./proxy_fixture.ts";

// API keys over real HTTP, with each client passing the key the way its users would (README).
const KEY = "test-api-key-5f0b7c1e9a";
const READER = "test-reader-key-8d2e4a6c";
let f: ProxyFixture;
test.before(async () => {
  f = await startProxyFixture({
    apiKeys: parseApiKeys([
      { name: "app", key: KEY, accounts: ["*"], methods: ["*"] },
      { name: "dashboard", key: READER, accounts: ["*"], methods: ["read"] },
    ]),
  });
});
test.after(() => f.stop());

test("without a valid key: HTTP 401, a JSON-RPC error body, and nothing signed", async () => {
  for (const headers of [{}, { authorization: "Bearer not-the-key-000000" }]) {
    const { status, json } = await rpc(f.url, { jsonrpc: "2.0", id: 1, method: "personal_sign", params: ["0x00", f.account] }, headers);
    assert.is(status, 401);
    assert.is(json.error.code, 4100);
  }
  assert.not.ok(f.lines.some((l) => JSON.parse(l).method === "personal_sign"));
});

test("viem passes the key in fetchOptions headers", async () => {
  const wallet = createWalletClient({ account: f.account, chain: foundry, transport: http(f.url, { fetchOptions: { headers: { Authorization: `Bearer ${KEY}` } } }) });
  const signature = await wallet.signMessage({ message: "with a key" });
  assert.is(await recoverMessageAddress({ message: "with a key", signature }), f.account);
});

test("ethers passes the key on its FetchRequest, batches included", async () => {
  const request = new FetchRequest(f.url);
  request.setHeader("Authorization", `Bearer ${KEY}`);
  const provider = new JsonRpcProvider(request, undefined, { staticNetwork: true });
  try {
    const signer = await provider.getSigner(f.account);
    const [signature, block] = await Promise.all([signer.signMessage("ethers with a key"), provider.getBlockNumber()]);
    assert.is(await recoverMessageAddress({ message: "ethers with a key", signature: signature as Hex }), f.account);
    assert.ok(block >= 0);
  } finally {
    provider.destroy();
  }
});

test("cast passes the key with --rpc-headers; a read-only key cannot send", async () => {
  const cast = (args: string[]) => promisify(execFile)(binaryPath("cast"), args, { timeout: 60_000 });
  const { stdout } = await cast(["rpc", "--rpc-url", f.url, "--rpc-headers", `Authorization: Bearer ${KEY}`, "eth_accounts"]);
  assert.equal(JSON.parse(stdout), [f.account]);
  const refused = await cast(["send", "--rpc-url", f.url, "--rpc-headers", `Authorization: Bearer ${READER}`, "--unlocked", "--from", f.account, f.account, "--value", "1"]).then(() => undefined, (e) => e);
  assert.ok(refused, "a read-only key sent a transaction");
  assert.match(refused.stderr, /4100|not call/);
  const lines = f.lines.map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.method === "eth_sendTransaction" && l.outcome === "unauthorized" && l.apiKey === "dashboard"));
  assert.not.ok(f.lines.join("\n").includes(KEY) || f.lines.join("\n").includes(READER));
});

test.run();
