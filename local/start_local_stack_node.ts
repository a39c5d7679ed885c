import { serve, type ServerType } from "@hono/node-server";
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mkdir, readFile, writeFile, rm } from "node:fs/promises";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { resolve, join } from "node:path";
import type { AddressInfo } from "node:net";
import { createSignerClient, type Hex, parseSignerAddress, type SignerClient } from "../signer/mod.ts";
import { nodeTransport } from "../signer/mod_node.ts";
import { createRpcProxyFromConfig, createUpstream, defaultAllowedHosts, type ProxyConfig } from "../rpc-proxy/mod.ts";
import { generateKey, loadAllKeys, loadStoredPolicies, type LocalStackInfo } from "../host-agent/mod.ts";
import { serveEnclaveLogs } from "../host-agent/mod_node.ts";
import { ensureLocalCredentials } from "./aws/ensure_local_credentials_node.ts";
import { ensureLocalSetup } from "./ensure_local_setup_node.ts";
import { localKeyPolicy } from "./local_key_policy.ts";
import { startKmsStandIn } from "./kms/start_kms_stand_in_node.ts";
import { startSecretsManagerStandIn } from "./secrets_manager/start_secrets_manager_stand_in_node.ts";
import { startVsockProxyStandIn } from "./vsock_proxy/start_vsock_proxy_stand_in_node.ts";
import { ANVIL_DEV_ACCOUNT, startAnvil } from "./start_anvil_node.ts";
import { startSigner } from "./start_signer_node.ts";
import type { Service } from "./spawn_service_node.ts";

export type StartLocalStackOptions = {
  /** Where local state lives. @default ".local" */
  stateDir?: string;
  /** Listen address of the JSON-RPC proxy (the other listeners stay on loopback). @default "127.0.0.1" */
  host?: string;
  /** JSON-RPC port; 0 picks a free one. @default 8545 */
  port?: number;
  /** Use this node instead of launching Anvil (then nothing is funded). */
  upstreamUrl?: string;
  /** PCR0 the simulated signer reports. @default the approved image's (the key policy's) */
  signerPcr0?: string;
  /** Log a line of progress. */
  log?: (line: string) => void;
  /** rpc-proxy options: API keys, CORS origins, limits, and where its JSON request log lines go (default nowhere). */
  proxy?: Partial<Pick<ProxyConfig, "apiKeys" | "corsOrigins" | "allowedHosts" | "maxBodyBytes" | "maxBatchSize">> & { log?: (line: string) => void };
};

export type LocalStack = {
  readonly url: string;
  readonly upstreamUrl: string;
  readonly signerAddress: string;
  readonly accounts: Hex[];
  stop(): Promise<void>;
};

let stackCount = 0;

/** 100 ETH, what the stack gives each account that has nothing on an Anvil it launched itself. */
const FUNDING_WEI = 100n * 10n ** 18n;

/**
 * The whole system on one machine (DESIGN §8), all state in one directory: Anvil (unless an upstream is given;
 * its chain is kept in the state directory), the KMS and Secrets Manager stand-ins (HTTPS with a local CA,
 * SigV4, key policy bound to the approved PCR0), the vsock-proxy stand-in, the signer as a Deno process with the
 * simulated NSM, the host-agent's start-up work (credentials, loading every key record through KMS with
 * Recipient, one new key on first start) and the rpc-proxy. `stop()` stops everything it started.
 *
 * @example
 * ```ts
 * const stack = await startLocalStack({ stateDir: tmp, port: 0 });
 * // … stack.url …
 * await stack.stop();
 * ```
 */
export async function startLocalStack(options: StartLocalStackOptions = {}): Promise<LocalStack> {
  const stateDir = resolve(options.stateDir ?? ".local");
  const host = options.host ?? "127.0.0.1";
  const log = options.log ?? (() => {});
  await mkdir(stateDir, { recursive: true });
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
    const hostCredentials = { accessKeyId: credentials.host.accessKeyId, secretAccessKey: credentials.host.secretAccessKey };
    const adminCredentials = { accessKeyId: credentials.admin.accessKeyId, secretAccessKey: credentials.admin.secretAccessKey };
    const kms = await startKmsStandIn({ stateDir, region: setup.region, attestationRoots: [await readFile(setup.attestationRootFile, "utf8")] });
    cleanups.push(() => kms.close());
    const secretsStandIn = await startSecretsManagerStandIn({ stateDir, region: setup.region });
    cleanups.push(() => secretsStandIn.close());
    const vsockProxy = await startVsockProxyStandIn({
      remoteHost: "127.0.0.1",
      remotePort: kms.port,
      allowlist: [{ address: "127.0.0.1", port: kms.port }],
    });
    cleanups.push(() => vsockProxy.close());
    const caFile = join(stateDir, "ca", "ca.pem");
    const httpsAgent = new Agent({ ca: kms.caPem });

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

    let upstreamUrl = options.upstreamUrl;
    if (!upstreamUrl) {
      const anvil = await startAnvil({ host: "127.0.0.1", args: ["--state", join(stateDir, "anvil-state.json")] });
      services.push(anvil.service);
      upstreamUrl = anvil.url;
      log(`anvil listening at ${upstreamUrl}`);
    }

    // One socket per stack, so two stacks sharing a state directory (two instances, one key) never collide.
    // Unix socket paths are limited to ~107 bytes: a deep state directory uses the temp directory instead.
    const socketName = `signer-${process.pid}-${++stackCount}.sock`;
    const socketPath = join(stateDir, socketName).length < 100 ? join(stateDir, socketName) : join(tmpdir(), `nitro-${socketName}`);
    await rm(socketPath, { force: true });
    cleanups.push(() => rm(socketPath, { force: true }));
    // The enclave's log path, as on an instance (there over vsock): the signer streams its JSON log lines to the
    // host-agent's receiver, which appends them to <stateDir>/logs/signer.log.
    const logSocketPath = socketPath.replace(/\.sock$/, "-logs.sock");
    const signerLogFile = join(stateDir, "logs", "signer.log");
    const logReceiver = await serveEnclaveLogs(nodeTransport, { transport: "unix", path: logSocketPath }, signerLogFile);
    cleanups.push(async () => {
      logReceiver.close();
      await logReceiver.done;
      await rm(logSocketPath, { force: true });
    });
    log(`signer log lines go to ${signerLogFile}`);
    const signerProcess = await startSigner({
      listen: `unix://${socketPath}`,
      args: [
        "--mode", "dev",
        "--log-to", `unix://${logSocketPath}`,
        "--pki", setup.pkiFile,
        "--pcr", `0=${options.signerPcr0 ?? setup.pcr0}`,
        "--kms-proxy", vsockProxy.url,
        "--kms-ca", caFile,
        "--region", setup.region,
      ],
    });
    services.push(signerProcess.service);
    log(`signer listening at ${signerProcess.address}`);

    // What the host-agent does after every signer start: credentials, then every key record, then their policies.
    const signer = createSignerClient(() => nodeTransport.connect(parseSignerAddress(signerProcess.address)));
    cleanups.push(async () => signer.close());
    const secrets = new SecretsManagerClient({ region: setup.region, endpoint: secretsStandIn.url, credentials: hostCredentials, requestHandler: { httpsAgent } });
    cleanups.push(async () => secrets.destroy());
    await signer.request("credentials.put", { ...hostCredentials, region: setup.region });
    const { loaded, failed } = await loadAllKeys({ signer, secrets, prefix: setup.secretPrefix });
    for (const f of failed) log(`could not load key ${f.name}: ${f.error}`);
    if (loaded.length === 0 && failed.length > 0) throw new Error(`No key could be loaded: ${failed[0]!.error}`);
    // Then every stored policy (a governed key without one signs nothing; a refused one is reported, not fatal).
    const policies = await loadStoredPolicies({ signer, secrets, prefix: setup.secretPrefix });
    for (const address of policies.applied) log(`policy of ${address} in force`);
    for (const f of policies.failed) log(`could not apply ${f.name}: ${f.error}`);
    if (loaded.length === 0) {
      const { address } = await generateKey({ signer, secrets, prefix: setup.secretPrefix, kmsKeyId: setup.kmsKeyId! }, { label: "default" });
      log(`generated account ${address}`);
    }
    const accounts = await accountsOf(signer);
    if (!options.upstreamUrl) for (const account of accounts) await fundIfEmpty(upstreamUrl, account);

    const { log: proxyLog, ...proxyOptions } = options.proxy ?? {};
    const proxy = createRpcProxyFromConfig(
      {
        host, port: options.port ?? 8545, upstreamUrl, signer: parseSignerAddress(signerProcess.address), maxBodyBytes: 1024 * 1024, maxBatchSize: 100,
        allowedHosts: defaultAllowedHosts(host), ...proxyOptions,
      },
      nodeTransport,
      proxyLog ? { log: proxyLog } : {},
    );
    const server = await listen(proxy.app.fetch, host, options.port ?? 8545);
    cleanups.push(async () => {
      await new Promise<void>((done) => server.close(() => done()));
      await proxy.close();
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    const info: LocalStackInfo = {
      url,
      upstreamUrl,
      signerAddress: signerProcess.address,
      region: setup.region,
      secretsEndpoint: secretsStandIn.url,
      kmsEndpoint: kms.url,
      caFile,
      kmsKeyId: setup.kmsKeyId!,
      secretPrefix: setup.secretPrefix,
      hostCredentials,
      attestationRootFile: setup.attestationRootFile,
      pcr0: setup.pcr0,
    };
    await writeFile(join(stateDir, "stack.json"), JSON.stringify(info, null, 2), { mode: 0o600 });
    cleanups.unshift(() => rm(join(stateDir, "stack.json"), { force: true }));
    return { url, upstreamUrl, signerAddress: signerProcess.address, accounts, stop };
  } catch (error) {
    await stop();
    throw error;
  }
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

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once("error", reject);
  });
}
