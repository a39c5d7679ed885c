import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createServer, type Server } from "node:http";
import { Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { toHex, type Hex } from "viem";
import { ensureLocalCredentials } from "../../../local/aws/ensure_local_credentials_node.ts";
import { ensureLocalSetup } from "../../../local/ensure_local_setup_node.ts";
import { startKmsStandIn } from "../../../local/kms/start_kms_stand_in_node.ts";
import { localKeyPolicy } from "../../../local/local_key_policy.ts";
import { ensureStateTable, listeningEvent, spawnService, startAnvil, startDynamoDbStandIn, startSigner, type DynamoDbStandIn, type Service } from "../../../local/mod_node.ts";
import { startVsockProxyStandIn } from "../../../local/vsock_proxy/start_vsock_proxy_stand_in_node.ts";
import { createSignerClient, type GovernanceParams, type SignerClient } from "../../../signer/mod.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { approve, ADMIN_B } from "../../helpers/policy_admins.ts";
import { call } from "../../helpers/rpc.ts";
import { tempDir } from "../../helpers/temp_dir.ts";

const PROXY_MAIN = fileURLToPath(new URL("../../../rpc-proxy/main_node.ts", import.meta.url));
export const STATE_TABLE = "nitro-signer-state";

/** One instance: a real Deno signer and a real rpc-proxy process (`--state-table`), on its own node endpoint. */
export type FleetInstance = {
  /** The proxy's JSON-RPC URL. */
  readonly url: string;
  /** The node endpoint this instance's proxy uses (the second's lags: see `startLaggingNode`). */
  readonly upstreamUrl: string;
  /** A direct client of this instance's signer. */
  readonly signer: SignerClient;
  /** The proxy's stderr lines. */
  readonly lines: string[];
  /** Kills the signer and starts a new one on the same socket, given credentials, every key and every policy again. */
  restartSigner(): Promise<void>;
};

export type FleetFixture = {
  readonly instances: readonly FleetInstance[];
  /** Anvil, straight. */
  readonly nodeUrl: string;
  readonly dynamodb: { readonly endpoint: string; readonly client: DynamoDBClient; stop(): Promise<void>; start(): Promise<void> };
  /** A new key on every signer (KMS-encrypted on the first, loaded by the others), funded with 100 ETH. */
  addKey(label: string, governance?: GovernanceParams): Promise<Hex>;
  /** Puts `document` in force on every signer (approved by ADMIN_B), now and after every signer restart. */
  applyPolicy(document: { account: Hex; sequence: number } & Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Several instances of the stack on one machine, sharing what a deployment shares: one Anvil, one DynamoDB
 * (dynalite behind the SigV4 front, LevelDB in a temp directory so it survives a stop), the KMS stand-in (so every
 * signer holds the same keys, as instances loading the same key records do). Each instance: a Deno signer
 * (`signerArgs`, e.g. `--windows fleet`) and an rpc-proxy process (`--state-table`, `--dynamodb-endpoint`, AWS
 * credentials and region from the environment, as the SDK default chain reads them). `upstreams[i]` gives
 * instance i another node endpoint (e.g. a lagging one) in front of Anvil.
 */
export async function startFleetFixture(options: {
  instances?: number;
  /** Proxies with `--state-table` (false: each in its own memory, as before issue 13). @default true */
  fleetState?: boolean;
  signerArgs?: string[];
  anvilArgs?: string[];
  /** Instance i's node endpoint, given Anvil's URL. @default Anvil itself */
  upstream?: (i: number, anvilUrl: string) => Promise<{ url: string; close(): Promise<void> }> | undefined;
} = {}): Promise<FleetFixture> {
  const count = options.instances ?? 2;
  const dir = await tempDir("fleet-");
  const stateDir = dir.path;
  const services: Service[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch(() => {});
    cleanups.length = 0;
    await Promise.all(services.map((s) => s.stop()));
    await dir.remove();
  };
  try {
    const setup = await ensureLocalSetup(stateDir);
    const credentials = await ensureLocalCredentials(stateDir);
    const host = { accessKeyId: credentials.host.accessKeyId, secretAccessKey: credentials.host.secretAccessKey };
    const kms = await startKmsStandIn({ stateDir, region: setup.region, attestationRoots: [await readFile(setup.attestationRootFile, "utf8")] });
    cleanups.push(() => kms.close());
    const vsock = await startVsockProxyStandIn({ remoteHost: "127.0.0.1", remotePort: kms.port, allowlist: [{ address: "127.0.0.1", port: kms.port }] });
    cleanups.push(() => vsock.close());
    const admin = new KMSClient({ region: setup.region, endpoint: kms.url, credentials: { accessKeyId: credentials.admin.accessKeyId, secretAccessKey: credentials.admin.secretAccessKey }, requestHandler: { httpsAgent: new Agent({ ca: kms.caPem }) } });
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({ Description: "fleet test key", Policy: JSON.stringify(localKeyPolicy(setup.pcr0)) }));
    admin.destroy();
    const kmsKeyId = KeyMetadata!.KeyId!;

    const anvil = await startAnvil({ host: "127.0.0.1", ...(options.anvilArgs ? { args: options.anvilArgs } : {}) });
    services.push(anvil.service);

    const dataPath = join(stateDir, "dynamodb");
    let db: DynamoDbStandIn = await startDynamoDbStandIn({ path: dataPath, stateDir, region: setup.region });
    const dbPort = db.port;
    cleanups.push(() => db.stop());
    const client = new DynamoDBClient({ region: setup.region, endpoint: db.endpoint, credentials: host, maxAttempts: 1 });
    cleanups.push(() => client.destroy());
    await ensureStateTable(client, STATE_TABLE);

    const signerArgs = [
      "--mode", "dev", "--pki", setup.pkiFile, "--pcr", `0=${setup.pcr0}`, "--kms-proxy", vsock.url,
      "--kms-ca", join(stateDir, "ca", "ca.pem"), "--region", setup.region, ...(options.signerArgs ?? []),
    ];
    const keys: { address: Hex; ciphertext: string; label: string; governance?: GovernanceParams }[] = [];
    const policies = new Map<string, { document: string; approvals: Hex[] }>();
    const prepare = async (signer: SignerClient, skipFirst = false) => {
      await signer.request("credentials.put", { ...host, region: setup.region });
      for (const [i, key] of keys.entries()) {
        if (skipFirst && i === keys.length - 1) continue;
        await signer.request("keys.load", { address: key.address, ciphertext: key.ciphertext, label: key.label, ...(key.governance ? { governance: key.governance } : {}) });
      }
      for (const policy of policies.values()) await signer.request("policy.apply", policy);
    };

    const instances: FleetInstance[] = [];
    for (let i = 0; i < count; i++) {
      const socket = join(stateDir, `signer-${i}.sock`);
      const listen = `unix://${socket}`;
      let signerService = (await startSigner({ listen, args: signerArgs })).service;
      cleanups.push(() => signerService.stop());
      const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(listen)));
      cleanups.push(() => signer.close());
      await prepare(signer);
      const upstream = (await options.upstream?.(i, anvil.url)) ?? { url: anvil.url, close: async () => {} };
      cleanups.push(() => upstream.close());
      const lines: string[] = [];
      const proxy = await spawnService("rpc-proxy", process.execPath, [
        "--import", "tsx", PROXY_MAIN, "--port", "0", "--upstream", upstream.url, "--signer", listen,
        ...(options.fleetState === false ? [] : ["--state-table", STATE_TABLE, "--dynamodb-endpoint", db.endpoint]),
      ], {
        env: { AWS_REGION: setup.region, AWS_ACCESS_KEY_ID: host.accessKeyId, AWS_SECRET_ACCESS_KEY: host.secretAccessKey, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined },
        ready: listeningEvent("url"),
        timeoutMs: 60_000,
        onLine: (line) => void lines.push(line),
      });
      services.push(proxy.service);
      instances.push({
        url: proxy.value,
        upstreamUrl: upstream.url,
        signer,
        lines,
        async restartSigner() {
          await signerService.stop();
          signerService = (await startSigner({ listen, args: signerArgs })).service;
          await prepare(signer);
        },
      });
    }

    return {
      instances,
      nodeUrl: anvil.url,
      dynamodb: {
        endpoint: db.endpoint,
        client,
        stop: () => db.stop(),
        async start() {
          db = await startDynamoDbStandIn({ path: dataPath, stateDir, region: setup.region, port: dbPort });
        },
      },
      async addKey(label, governance) {
        const generated = await instances[0]!.signer.request("keys.generate", { label, kmsKeyId, ...(governance ? { governance } : {}) });
        keys.push({ address: generated.address, ciphertext: generated.ciphertext!, label, ...(governance ? { governance } : {}) });
        for (const instance of instances.slice(1)) {
          await instance.signer.request("keys.load", { address: generated.address, ciphertext: generated.ciphertext!, label, ...(governance ? { governance } : {}) });
        }
        await call(anvil.url, "anvil_setBalance", [generated.address, toHex(100n * 10n ** 18n)]);
        return generated.address;
      },
      async applyPolicy(document) {
        const policy = { document: JSON.stringify(document), approvals: await approve(document, [ADMIN_B]) };
        policies.set(document.account.toLowerCase(), policy);
        for (const instance of instances) await instance.signer.request("policy.apply", policy);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * A node endpoint that lags, as a provider behind a load balancer can: a JSON-RPC middlebox in front of `nodeUrl`
 * that answers `eth_getTransactionCount(…, "pending")` with the `latest` count (single requests and batches),
 * and passes everything else through.
 */
export async function startLaggingNode(nodeUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const lag = (entry: { method?: string; params?: unknown[] }) =>
    entry?.method === "eth_getTransactionCount" && Array.isArray(entry.params) && entry.params[1] === "pending"
      ? { ...entry, params: [entry.params[0], "latest"] }
      : entry;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const answer = await fetch(nodeUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(Array.isArray(body) ? body.map(lag) : lag(body)),
        });
        response.writeHead(answer.status, { "content-type": "application/json" });
        response.end(Buffer.from(await answer.arrayBuffer()));
      } catch {
        response.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", () => done()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
