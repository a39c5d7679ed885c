import { test } from "uvu";
import * as assert from "uvu/assert";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { execFile } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { Agent } from "node:https";
import { join } from "node:path";
import { promisify } from "node:util";
import { sha256, stringToBytes } from "viem";
import { ensureLocalCredentials } from "../../../local/aws/ensure_local_credentials_node.ts";
import { spawnService, type Service } from "../../../local/spawn_service_node.ts";
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from "../../../local/secrets_manager/start_secrets_manager_stand_in_node.ts";
import { rpc } from "../../helpers/rpc.ts";
import { tempDir } from "../../helpers/temp_dir.ts";

// `host-agent api-keys fetch` through its CLI, against the Secrets Manager stand-in with the real SDK, then the
// real rpc-proxy reading what it wrote: the deployment's path from the API-keys secret to a proxy that is never
// open by accident (deploy/README "API keys").

const run = promisify(execFile);
const KEY = "deployed-api-key-6c1e0b9f2d";
let dir: Awaited<ReturnType<typeof tempDir>>;
let sm: SecretsManagerStandIn;
let admin: SecretsManagerClient;
let agent: Agent;

test.before(async () => {
  dir = await tempDir("api-keys-");
  const creds = await ensureLocalCredentials(dir.path);
  sm = await startSecretsManagerStandIn({ stateDir: dir.path });
  agent = new Agent({ ca: sm.caPem });
  admin = new SecretsManagerClient({ region: sm.region, endpoint: sm.url, credentials: { accessKeyId: creds.admin.accessKeyId, secretAccessKey: creds.admin.secretAccessKey }, requestHandler: { httpsAgent: agent } });
  await writeFile(join(dir.path, "ca.pem"), sm.caPem);
  await writeFile(join(dir.path, "root.pem"), "");
  // What `npm start` writes for the host-agent's commands; only the Secrets Manager part is used here.
  await writeFile(join(dir.path, "stack.json"), JSON.stringify({
    url: "http://127.0.0.1:1", upstreamUrl: "http://127.0.0.1:1", signerAddress: "tcp://127.0.0.1:1", region: sm.region,
    secretsEndpoint: sm.url, kmsEndpoint: sm.url, caFile: join(dir.path, "ca.pem"), kmsKeyId: "", secretPrefix: "nitro-signer/keys/",
    hostCredentials: { accessKeyId: creds.host.accessKeyId, secretAccessKey: creds.host.secretAccessKey },
    attestationRootFile: join(dir.path, "root.pem"), pcr0: "00",
  }));
});
test.after(async () => {
  admin.destroy();
  agent.destroy();
  await sm.close();
  await dir.remove();
});

function fetchKeys(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, ["--import", "tsx", "host-agent/main_node.ts", "api-keys", "fetch", "--state-dir", dir.path, ...args], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
  }).then((r) => ({ code: 0, ...r }), (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));
}

test("a secret holding [] gives a keys file that makes the real rpc-proxy refuse everything; after a key is added, that key works", async () => {
  await admin.send(new CreateSecretCommand({ Name: "nitro-signer/api-keys/test", SecretString: "[]" }));
  const out = join(dir.path, "api-keys.json");
  const first = await fetchKeys(["--json"], { API_KEYS_SECRET_ID: "nitro-signer/api-keys/test", API_KEYS_FILE: out });
  assert.is(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout), { keys: 0, file: out });
  assert.is((await stat(out)).mode & 0o777, 0o600);

  let proxy: Service | undefined;
  const startProxy = async () => (await spawnService("rpc-proxy", process.execPath, ["--import", "tsx", "rpc-proxy/main_node.ts", "--upstream", "http://127.0.0.1:9", "--port", "0", "--signer", "tcp://127.0.0.1:9", "--api-keys", out], {
    ready: (line) => (line.includes('"listening"') ? JSON.parse(line).url : undefined),
  }));
  try {
    let started = await startProxy();
    proxy = started.service;
    const blockNumber = { jsonrpc: "2.0", id: 1, method: "eth_chainId" };
    assert.is((await rpc(started.value, blockNumber, { authorization: `Bearer ${KEY}` })).status, 401);
    await proxy.stop();

    const entry = { name: "app", keySha256: sha256(stringToBytes(KEY)), accounts: ["*"], methods: ["read"] };
    await admin.send(new PutSecretValueCommand({ SecretId: "nitro-signer/api-keys/test", SecretString: JSON.stringify([entry]) }));
    const second = await fetchKeys(["--secret-id", "nitro-signer/api-keys/test", "--out", out]);
    assert.is(second.code, 0, second.stderr);
    assert.match(second.stdout, /with 1 API key/);
    assert.not.match(await readFile(out, "utf8"), new RegExp(KEY));
    started = await startProxy();
    proxy = started.service;
    assert.is((await rpc(started.value, blockNumber, { authorization: "Bearer some-other-key-000000" })).status, 401);
    // Authenticated: the request reaches the (absent) node and fails there, not at the door.
    assert.is((await rpc(started.value, blockNumber, { authorization: `Bearer ${KEY}` })).status, 200);
  } finally {
    await proxy?.stop();
  }
});

test("a plain key in the secret, a secret that is not a keys file, or a missing secret fails with a one-line reason and writes nothing", async () => {
  await admin.send(new CreateSecretCommand({ Name: "nitro-signer/api-keys/plain", SecretString: JSON.stringify([{ key: KEY, accounts: ["*"], methods: ["*"] }]) }));
  await admin.send(new CreateSecretCommand({ Name: "nitro-signer/api-keys/broken", SecretString: "{" }));
  const out = join(dir.path, "never.json");
  const cases: [string, RegExp][] = [
    ["nitro-signer/api-keys/plain", /holds a key in plain text: store "keySha256"/],
    ["nitro-signer/api-keys/broken", /not JSON/],
    ["nitro-signer/api-keys/missing", /cannot read secret nitro-signer\/api-keys\/missing: ResourceNotFoundException/],
  ];
  for (const [secret, reason] of cases) {
    const result = await fetchKeys(["--secret-id", secret, "--out", out]);
    assert.is(result.code, 1, secret);
    assert.match(result.stderr, reason);
    assert.not.match(result.stderr, new RegExp(KEY));
  }
  assert.not.ok(await stat(out).then(() => true, () => false), "a file was written");
  const half = await fetchKeys(["--out", out]);
  assert.is(half.code, 2);
  const none = await fetchKeys([]);
  assert.is(none.code, 0);
  assert.match(none.stdout, /without authentication/);
});

test.run();
