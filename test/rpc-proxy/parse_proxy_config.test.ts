import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseProxyConfig } from "../../rpc-proxy/parse_proxy_config.ts";

const files: Record<string, string> = {
  "keys.json": JSON.stringify([{ name: "ci", key: "a-long-enough-secret-key", accounts: ["*"], methods: ["read"] }]),
  "empty.json": "[]",
  "broken.json": "{",
};
const readTextFile = (path: string) => {
  if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`);
  return files[path]!;
};

test("defaults: loopback, 8545, vsock signer, 1 MiB bodies, batches of 100, no keys, CORS off, loopback hosts, request log on, batches to the node", () => {
  const config = parseProxyConfig(["--upstream", "http://127.0.0.1:8546"], {});
  assert.equal(config, {
    host: "127.0.0.1", port: 8545, upstreamUrl: "http://127.0.0.1:8546", signer: { transport: "vsock", cid: 16, port: 5000 },
    maxBodyBytes: 1048576, maxBatchSize: 100, corsOrigins: [], allowedHosts: ["localhost", "127.0.0.1", "[::1]"],
    logRequests: true, upstreamBatches: true,
  });
  assert.not.ok("apiKeys" in config, "no --api-keys means no authentication");
});

test("allowed hosts: the listen address joins the loopback names (a wildcard one does not); --allowed-hosts replaces them", () => {
  const hosts = (args: string[], env: Record<string, string> = {}) => parseProxyConfig(["--upstream", "http://n", ...args], env).allowedHosts;
  assert.equal(hosts(["--host", "10.0.0.5"]), ["localhost", "127.0.0.1", "[::1]", "10.0.0.5"]);
  assert.equal(hosts(["--host", "0.0.0.0"]), ["localhost", "127.0.0.1", "[::1]"]);
  assert.equal(hosts(["--allowed-hosts", "signer.internal, 10.0.0.5,[::1]"]), ["signer.internal", "10.0.0.5", "[::1]"]);
  assert.equal(hosts([], { ALLOWED_HOSTS: "*" }), ["*"]);
});

test("an API keys file holding [] turns authentication on with no key (every request refused)", () => {
  assert.equal(parseProxyConfig(["--upstream", "http://n", "--api-keys", "empty.json"], {}, { readTextFile }).apiKeys, []);
});

test("flags win over the environment; API keys come from a file, hashed", () => {
  const config = parseProxyConfig(
    ["--api-keys", "keys.json", "--cors-origins", "https://app.example, http://localhost:3000", "--max-batch-size", "10", "--log-requests", "off"],
    { UPSTREAM_URL: "http://node:8545", MAX_BATCH_SIZE: "20", CORS_ORIGINS: "*" },
    { readTextFile },
  );
  assert.is(config.maxBatchSize, 10);
  assert.equal(config.corsOrigins, ["https://app.example", "http://localhost:3000"]);
  assert.is(config.apiKeys?.[0]?.name, "ci");
  assert.is(config.apiKeys?.[0]?.hash.length, 32);
  assert.is(config.logRequests, false);
  assert.is(parseProxyConfig(["--upstream-batches=off"], { UPSTREAM_URL: "http://n", UPSTREAM_BATCHES: "on" }).upstreamBatches, false);
  assert.equal(parseProxyConfig([], { UPSTREAM_URL: "http://n", API_KEYS_FILE: "keys.json" }, { readTextFile }).apiKeys?.length, 1);
});

test("bad input is refused with a one-line reason", () => {
  const cases: [string[], RegExp][] = [
    [["--api-keys", "missing.json"], /Cannot read --api-keys missing.json: ENOENT/],
    [["--api-keys", "broken.json"], /not valid JSON/],
    [["--allowed-hosts", "localhost:8545"], /Invalid --allowed-hosts entry localhost:8545: expected a host name without port/],
    [["--allowed-hosts", "https://app.example"], /Invalid --allowed-hosts entry/],
    [["--allowed-hosts", " , "], /Invalid --allowed-hosts: expected host names/],
    [["--cors-origins", "app.example"], /Invalid --cors-origins entry app.example/],
    [["--cors-origins", "https://app.example/path"], /expected an origin like https:\/\/app.example/],
    [["--log-requests", "maybe"], /expected on or off/],
    [["--upstream-batches", "1"], /Invalid --upstream-batches 1: expected on or off/],
    [["--max-body-bytes", "0"], /Invalid --max-body-bytes 0/],
    [["--api-key", "x"], /Unknown option --api-key/],
  ];
  for (const [args, reason] of cases) {
    assert.throws(() => parseProxyConfig(["--upstream", "http://n", ...args], {}, { readTextFile }), reason);
  }
  assert.throws(() => parseProxyConfig(["--upstream", "http://n", "--api-keys", "keys.json"], {}), /no file access/);
});

test.run();
