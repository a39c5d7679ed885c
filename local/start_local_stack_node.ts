import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mkdir, readFile, writeFile, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { resolve, join } from "node:path";
import { createSignerClient, type Hex, parseSignerAddress, type SignerClient } from "../signer/mod.ts";
import { nodeTransport } from "../signer/mod_node.ts";
import { createUpstream, type ProxyConfig } from "../rpc-proxy/mod.ts";
import { generateKey, type LocalStackInfo } from "../host-agent/mod.ts";
import type { LocalCredential } from "./aws/local_credential.ts";
import { ensureLocalCredentials } from "./aws/ensure_local_credentials_node.ts";
import { ensureStateTable } from "./dynamodb/ensure_state_table.ts";
import { type DynamoDbStandIn, startDynamoDbStandIn } from "./dynamodb/start_dynamodb_stand_in_node.ts";
import { ensureLocalSetup } from "./ensure_local_setup_node.ts";
import type { ImdsStandIn } from "./imds/start_imds_stand_in_node.ts";
import { localKeyPolicy } from "./local_key_policy.ts";
import { startKmsStandIn } from "./kms/start_kms_stand_in_node.ts";
import { startSecretsManagerStandIn } from "./secrets_manager/start_secrets_manager_stand_in_node.ts";
import { startVsockProxyStandIn } from "./vsock_proxy/start_vsock_proxy_stand_in_node.ts";
import { ANVIL_DEV_ACCOUNT, ANVIL_MIXED_MINING, startAnvil } from "./start_anvil_node.ts";
import { type LocalInstance, startLocalInstance } from "./start_local_instance_node.ts";
import type { Service } from "./spawn_service_node.ts";

export type StartLocalStackOptions = {
  /** Where local state lives. @default ".local" */
  stateDir?: string;
  /** Listen address of the JSON-RPC proxies (the other listeners stay on loopback). @default "127.0.0.1" */
  host?: string;
  /** The first instance's JSON-RPC port, the others on the next ones; 0 picks free ones. @default 8545 */
  port?: number;
  /** Complete instances (each its own signer, host-agent daemon and rpc-proxy), as N EC2 instances. @default 1 */
  instances?: number;
  /** Use this node instead of launching Anvil (then nothing is funded). */
  upstreamUrl?: string;
  /** One node per instance, in order (or one for all); instead of `upstreamUrl`. */
  upstreamUrls?: readonly string[];
  /** PCR0 the simulated signer reports. @default the approved image's (the key policy's) */
  signerPcr0?: string;
  /** How often each host-agent re-loads key records and policies from Secrets Manager. @default 5000 */
  keySyncIntervalMs?: number;
  /** How often each host-agent checks its signer and refreshes its status. @default 1000 */
  watchIntervalMs?: number;
  /** Log a line of progress. */
  log?: (line: string) => void;
  /** rpc-proxy options: API keys, CORS origins, limits, and where its JSON request log lines go (default nowhere). */
  proxy?: Partial<Pick<ProxyConfig, "apiKeys" | "corsOrigins" | "allowedHosts" | "maxBodyBytes" | "maxBatchSize">> & { log?: (line: string) => void };
};

export type LocalStack = {
  /** The first instance's JSON-RPC URL, node and signer. */
  readonly url: string;
  readonly upstreamUrl: string;
  readonly signerAddress: string;
  readonly accounts: Hex[];
  /** Every instance, first one first. */
  readonly instances: readonly LocalInstance[];
  stop(): Promise<void>;
};

export type { LocalInstance };

let stackCount = 0;

/** 100 ETH, what the stack gives each account that has nothing on an Anvil it launched itself. */
const FUNDING_WEI = 100n * 10n ** 18n;

/** The fleet state table's name in the local DynamoDB (issue 13; on AWS the CDK app names it). */
export const LOCAL_STATE_TABLE = "nitro-signer-state";

/**
 * The whole system on one machine (DESIGN §8), all state in one directory: Anvil (unless an upstream is given;
 * its chain is kept in the state directory), the KMS and Secrets Manager stand-ins (HTTPS with a local CA,
 * SigV4, key policy bound to the approved PCR0), the vsock-proxy stand-in and DynamoDB (dynalite behind SigV4,
 * data in `<stateDir>/dynamodb`, the fleet state table `LOCAL_STATE_TABLE`), shared by `instances` complete
 * instances (`startLocalInstance`: IMDS, the real host-agent daemon supervising the Deno signer through the local
 * enclave runner, the rpc-proxy). The first instance starts first; if no key record exists it generates one
 * (as an operator would with `host-agent keys generate`), and the others load it when they start. A killed
 * signer is restarted by its host-agent, which loads every key again. `stop()` stops everything it started.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ stateDir: tmp, port: 0, instances: 2 });
 * // … stack.instances[1].url …
 * await stack.stop();
 * ```
 */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStack> {
  const stateDir = resolve(options.stateDir ?? ".local");
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  const count = options.instances ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 32) throw new RangeError(`Invalid instances ${count}: expected an integer in 1..32`);
  const basePort = options.port ?? 8545;
  if (!Number.isInteger(basePort) || basePort < 0 || (basePort > 0 && basePort + count - 1 > 65535)) {
    throw new RangeError(`Invalid port ${basePort} for ${count} instance(s)`);
  }
  const given = options.upstreamUrls ?? (options.upstreamUrl ? [options.upstreamUrl] : []);
  if (given.length > 1 && given.length !== count) {
    throw new RangeError(`${given.length} upstream URLs for ${count} instances: give one for all, or one per instance`);
  }
  await mkdir(stateDir, { recursive: true });
  // A second stack in this process on the same state directory (tests) keeps its instances' files apart.
  const stackNumber = ++stackCount;
  const services: Service[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
    await Promise.all(services.map((s) => s.stop()));
  };
  try {
    const setup = await ensureLocalSetup(stateDir);
    const credentials = await ensureLocalCredentials(stateDir);
    const adminCredentials = { accessKeyId: credentials.admin.accessKeyId, secretAccessKey: credentials.admin.secretAccessKey };
    // The stand-ins accept the stack's own keys (the key commands use them) and every instance's IMDS role credentials.
    const imdsList: ImdsStandIn[] = [];
    const accepted = (): LocalCredential[] => [credentials.host, credentials.admin, ...imdsList.flatMap((imds) => imds.acceptedCredentials())];
    const kms = await startKmsStandIn({ stateDir, region: setup.region, credentials: accepted, attestationRoots: [await readFile(setup.attestationRootFile, "utf8")] });
    cleanups.push(() => kms.close());
    const secretsStandIn = await startSecretsManagerStandIn({ stateDir, region: setup.region, credentials: accepted });
    cleanups.push(() => secretsStandIn.close());
    const vsockProxy = await startVsockProxyStandIn({
      remoteHost: "127.0.0.1",
      remotePort: kms.port,
      allowlist: [{ address: "127.0.0.1", port: kms.port }],
    });
    cleanups.push(() => vsockProxy.close());
    const caFile = join(stateDir, "ca", "ca.pem");
    const httpsAgent = new Agent({ ca: kms.caPem });
    // DynamoDB (dynalite behind SigV4, data under the state directory): one state table for every instance.
    const dynamodb = await shareDynamoDb(join(stateDir, "dynamodb"), () => startDynamoDbStandIn({ path: join(stateDir, "dynamodb"), region: setup.region, credentials: accepted }));
    cleanups.push(() => dynamodb.release());
    const hostKeys = { accessKeyId: credentials.host.accessKeyId, secretAccessKey: credentials.host.secretAccessKey };
    const tableClient = new DynamoDBClient({ region: setup.region, endpoint: dynamodb.endpoint, credentials: adminCredentials });
    try {
      await ensureStateTable(tableClient, LOCAL_STATE_TABLE);
    } finally {
      tableClient.destroy();
    }
    log(`DynamoDB at ${dynamodb.endpoint}, state table ${LOCAL_STATE_TABLE}`);

    if (!setup.kmsKeyId) {
      const admin = new KMSClient({ region: setup.region, endpoint: kms.url, credentials: adminCredentials, requestHandler: { httpsAgent } });
      const { KeyMetadata } = await admin.send(new CreateKeyCommand({
        Description: "nitro-eth-signer local key encryption key",
        Policy: JSON.stringify(localKeyPolicy(setup.pcr0)),
      }));
      admin.destroy();
      await setup.save({ kmsKeyId: KeyMetadata!.KeyId! });
      log(`created KMS key ${setup.kmsKeyId}`);
    }

    let upstreamUrls = [...given];
    if (upstreamUrls.length === 0) {
      const anvil = await startAnvil({ host: "127.0.0.1", args: ["--state", join(stateDir, "anvil-state.json"), ...ANVIL_MIXED_MINING] });
      services.push(anvil.service);
      upstreamUrls = [anvil.url];
      log(`anvil listening at ${anvil.url}`);
    }
    const upstreamOf = (i: number) => upstreamUrls[upstreamUrls.length === 1 ? 0 : i]!;

    const signerArgs = [
      "--mode", "dev",
      "--pki", setup.pkiFile,
      "--pcr", `0=${options.signerPcr0 ?? setup.pcr0}`,
      "--kms-proxy", vsockProxy.url,
      "--kms-ca", caFile,
      "--region", setup.region,
      // Policy limits' windows in the fleet's state table, as in enclave mode (issue 13, docs/fleet-state.md).
      "--windows", "fleet",
    ];
    const { log: proxyLog, ...proxyOptions } = options.proxy ?? {};
    const instances: LocalInstance[] = [];
    const start = async (i: number): Promise<LocalInstance> => {
      const signerLogFile = join(stateDir, "logs", i === 0 ? "signer.log" : `signer-${i + 1}.log`);
      const instance = await startLocalInstance({
        index: i + 1,
        name: stackNumber === 1 ? String(i + 1) : `${i + 1}-${stackNumber}`,
        stateDir,
        region: setup.region,
        secretPrefix: setup.secretPrefix,
        secretsEndpoint: secretsStandIn.url,
        httpsAgent,
        signerArgs,
        signerLogFile,
        host,
        port: basePort === 0 ? 0 : basePort + i,
        upstreamUrl: upstreamOf(i),
        proxy: proxyOptions,
        state: { table: LOCAL_STATE_TABLE, endpoint: dynamodb.endpoint, region: setup.region, credentials: hostKeys },
        ...(proxyLog ? { proxyLog } : {}),
        watchIntervalMs: options.watchIntervalMs ?? 1000,
        keySyncIntervalMs: options.keySyncIntervalMs ?? 5000,
        restartBackoffMs: 250,
        onImds: (imds) => void imdsList.push(imds),
        log,
      });
      cleanups.push(() => instance.stop());
      log(`instance ${i + 1}: signer at ${instance.signerAddress} (log lines in ${signerLogFile}), host-agent status in ${instance.statusFile}`);
      return instance;
    };

    // The first instance, then (with no key record yet) one key generated through its signer, as an operator
    // would with `host-agent keys generate`; the other instances load it when they start.
    instances.push(await start(0));
    const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(instances[0]!.signerAddress)));
    cleanups.push(async () => signer.close());
    if ((instances[0]!.status()?.keys?.accounts ?? 0) === 0 && (await accountsOf(signer)).length === 0) {
      const secrets = new SecretsManagerClient({ region: setup.region, endpoint: secretsStandIn.url, credentials: hostKeys, requestHandler: { httpsAgent } });
      try {
        const { address } = await generateKey({ signer, secrets, prefix: setup.secretPrefix, kmsKeyId: setup.kmsKeyId! }, { label: "default" });
        log(`generated account ${address}`);
      } finally {
        secrets.destroy();
      }
    }
    instances.push(...(await Promise.all(Array.from({ length: count - 1 }, (_, i) => start(i + 1)))));
    const accounts = await accountsOf(signer);
    if (given.length === 0) for (const account of accounts) await fundIfEmpty(upstreamUrls[0]!, account);

    const first = instances[0]!;
    const info: LocalStackInfo = {
      url: first.url,
      upstreamUrl: first.upstreamUrl,
      signerAddress: first.signerAddress,
      instances: instances.map((x) => ({ url: x.url, upstreamUrl: x.upstreamUrl, signerAddress: x.signerAddress, statusFile: x.statusFile })),
      region: setup.region,
      secretsEndpoint: secretsStandIn.url,
      kmsEndpoint: kms.url,
      caFile,
      kmsKeyId: setup.kmsKeyId!,
      secretPrefix: setup.secretPrefix,
      hostCredentials: hostKeys,
      attestationRootFile: setup.attestationRootFile,
      pcr0: setup.pcr0,
    };
    await writeFile(join(stateDir, "stack.json"), JSON.stringify(info, null, 2), { mode: 0o600 });
    cleanups.push(() => rm(join(stateDir, "stack.json"), { force: true }));
    return { url: first.url, upstreamUrl: first.upstreamUrl, signerAddress: first.signerAddress, accounts, instances, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** DynamoDB stand-ins by store path: stacks of one process on one state directory share one (LevelDB locks its store). */
const dynamoDbByPath = new Map<string, { standIn: Promise<DynamoDbStandIn>; users: number }>();

async function shareDynamoDb(path: string, start: () => Promise<DynamoDbStandIn>): Promise<DynamoDbStandIn & { release(): Promise<void> }> {
  let entry = dynamoDbByPath.get(path);
  if (!entry) {
    entry = { standIn: start(), users: 0 };
    dynamoDbByPath.set(path, entry);
    entry.standIn.catch(() => dynamoDbByPath.delete(path));
  }
  entry.users++;
  const shared = entry;
  const standIn = await shared.standIn.catch((error: unknown) => {
    shared.users--;
    throw error;
  });
  let released = false;
  return {
    ...standIn,
    stop: () => standIn.stop(),
    async release() {
      if (released) return;
      released = true;
      if (--shared.users > 0) return;
      dynamoDbByPath.delete(path);
      await standIn.stop();
    },
  };
}

async function accountsOf(signer: SignerClient): Promise<Hex[]> {
  return (await signer.request("keys.list", {})).map((a) => a.address);
}

async function fundIfEmpty(upstreamUrl: string, address: Hex): Promise<void> {
  const upstream = createUpstream(upstreamUrl);
  try {
    if (BigInt(await upstream.request<Hex>("eth_getBalance", [address, "latest"])) > 0n) return;
    const hash = await upstream.request<Hex>("eth_sendTransaction", [{ from: ANVIL_DEV_ACCOUNT, to: address, value: `0x${FUNDING_WEI.toString(16)}` }]);
    for (let i = 0; i < 100; i++) {
      if (await upstream.request("eth_getTransactionReceipt", [hash])) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`Funding transaction ${hash} was not mined`);
  } finally {
    await upstream.close();
  }
}
