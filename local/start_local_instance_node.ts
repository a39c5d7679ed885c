import { serve, type ServerType } from "@hono/node-server";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import type { Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeTransport } from "../signer/mod_node.ts";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createSignerClient } from "../signer/mod.ts";
import { createRpcProxy, createUpstream, defaultAllowedHosts, type ProxyConfig } from "../rpc-proxy/mod.ts";
import { type EnclaveStatus, isEnclaveReady, loadAllKeys, loadStoredPolicies } from "../host-agent/mod.ts";
import { parseDaemonConfig, runDaemon, serveEnclaveLogs, writeStatusFile } from "../host-agent/mod_node.ts";
import { createLocalNitroCli } from "./create_local_nitro_cli_node.ts";
import { startImdsStandIn, type ImdsStandIn } from "./imds/start_imds_stand_in_node.ts";

export type StartLocalInstanceOptions = {
  /** 1, 2, …: the instance's number (its IMDS instance id, its log file `<stateDir>/logs/host-agent-<n>.log`). */
  index: number;
  /** Its directory's name under `<stateDir>/instances/` (status file, signer socket). @default String(index) */
  name?: string;
  stateDir: string;
  region: string;
  secretPrefix: string;
  /** The Secrets Manager stand-in, and an HTTPS agent that trusts the local CA. */
  secretsEndpoint: string;
  httpsAgent: Agent;
  /** The signer's arguments after `--listen` (mode, PKI, PCR0, KMS proxy and CA, region, …). */
  signerArgs: readonly string[];
  /** Where the signer's log lines are appended. */
  signerLogFile: string;
  /** The proxy's listen address and port (0: a free one), its node, and the rest of its configuration. */
  host: string;
  port: number;
  upstreamUrl: string;
  proxy?: Partial<Pick<ProxyConfig, "apiKeys" | "corsOrigins" | "allowedHosts" | "maxBodyBytes" | "maxBatchSize">>;
  proxyLog?: (line: string) => void;
  /**
   * The fleet's state table (issue 13) the proxy keeps nonces and window records in, as `--state-table` and
   * `--dynamodb-endpoint` do, signed with these credentials (the instance role's, locally the stack's host keys).
   */
  state?: { table: string; endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** The daemon's timings (see `host-agent daemon --help`). */
  watchIntervalMs: number;
  keySyncIntervalMs: number;
  restartBackoffMs: number;
  /** Called with each IMDS stand-in as it starts (the stand-ins must accept the credentials it issues). */
  onImds: (imds: ImdsStandIn) => void;
  /** Notable daemon events, one line each (every event goes to `<stateDir>/logs/host-agent-<n>.log`). */
  log: (line: string) => void;
  /** How long to wait for the daemon to report ready. @default 180000 */
  readyTimeoutMs?: number;
};

export type LocalInstance = {
  readonly index: number;
  /** The instance's JSON-RPC URL. */
  readonly url: string;
  readonly upstreamUrl: string;
  /** Where the instance's signer listens (`unix:///…`). */
  readonly signerAddress: string;
  /** The daemon's status file (`isEnclaveReady` reads it). */
  readonly statusFile: string;
  /** The daemon's last status. */
  status(): EnclaveStatus | undefined;
  /** The running signer's process id (the "enclave"), or undefined while none runs. */
  signerProcessId(): Promise<number | undefined>;
  stop(): Promise<void>;
};

/** Daemon events worth a line on the console; the rest (heartbeats, every key sync) only go to the log file. */
const NOTABLE = new Set(["enclave-started", "enclave-down", "keys-failed", "keys-load-failed", "policies-failed", "fatal", "region-failed", "credentials-failed"]);

let socketCount = 0;

/**
 * One local "EC2 instance": an IMDSv2 stand-in (its role credentials), the real `host-agent daemon` code
 * (`runDaemon`, in-process) driving the local enclave runner (`createLocalNitroCli`: the Deno signer as a
 * process) — it pushes credentials, loads every key record and stored policy, writes its status file, re-syncs
 * keys every `keySyncIntervalMs`, and restarts a dead signer with backoff — the signer's log receiver, and the
 * rpc-proxy, whose `/readyz` also requires the daemon's status to be ready (`isEnclaveReady`). Resolves once the
 * daemon reports ready and the proxy listens; throws (after stopping what it started) if it does not get there.
 *
 * @example
 * ```ts
 * const instance = await startLocalInstance({ index: 1, stateDir, region, … });
 * // … instance.url …
 * await instance.stop();
 * ```
 */
export async function startLocalInstance(options: StartLocalInstanceOptions): Promise<LocalInstance> {
  const n = options.index;
  const dir = join(options.stateDir, "instances", options.name ?? String(n));
  await mkdir(dir, { recursive: true });
  await mkdir(join(options.stateDir, "logs"), { recursive: true });
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
    cleanups.length = 0;
  };
  try {
    const imds = await startImdsStandIn({ region: options.region, instanceId: `i-0${n.toString(16).padStart(16, "0")}` });
    options.onImds(imds);
    cleanups.push(() => imds.close());

    // One socket per instance and process (two stacks may share a state directory). Unix socket paths are
    // limited to ~107 bytes: a deep state directory uses the temp directory instead.
    const socketName = `signer-${process.pid}-${++socketCount}.sock`;
    const socketPath = join(dir, socketName).length < 100 ? join(dir, socketName) : join(tmpdir(), `nitro-${socketName}`);
    const logSocketPath = socketPath.replace(/\.sock$/, "-logs.sock");
    cleanups.push(() => rm(socketPath, { force: true }));
    const signerAddress = `unix://${socketPath}`;
    // The enclave's log path, as on an instance (there over vsock): the signer streams its JSON log lines to
    // the host-agent's receiver, which appends them to the signer's log file.
    await rm(logSocketPath, { force: true });
    const logReceiver = await serveEnclaveLogs(nodeTransport, { transport: "unix", path: logSocketPath }, options.signerLogFile);
    cleanups.push(async () => {
      logReceiver.close();
      await logReceiver.done;
      await rm(logSocketPath, { force: true });
    });

    const statusFile = join(dir, "status.json");
    const config = parseDaemonConfig([
      "--signer", signerAddress,
      "--eif", "signer/main_deno.ts",
      "--memory-mib", "512",
      "--region", options.region,
      "--secret-prefix", options.secretPrefix,
      "--imds-endpoint", imds.url,
      "--secrets-endpoint", options.secretsEndpoint,
      "--status-file", statusFile,
      "--enclave-logs", "none",
      "--watch-interval-ms", String(options.watchIntervalMs),
      "--key-sync-interval-ms", String(options.keySyncIntervalMs),
      "--restart-backoff-ms", String(options.restartBackoffMs),
    ], {});
    config.timings.keyRetryBackoff = { initialMs: 250, maxMs: 10_000 };

    const daemonLog = createWriteStream(join(options.stateDir, "logs", `host-agent-${n}.log`), { flags: "a", mode: 0o600 });
    cleanups.push(() => new Promise<void>((done) => daemonLog.end(() => done())));
    let status: EnclaveStatus | undefined;
    let statusChanged = () => {};
    const controller = new AbortController();
    const nitroCli = createLocalNitroCli({ listen: signerAddress, signerArgs: [...options.signerArgs, "--log-to", `unix://${logSocketPath}`] });
    const daemon = runDaemon(config, {
      transport: nodeTransport,
      nitroCli,
      secretsClientConfig: { requestHandler: { httpsAgent: options.httpsAgent } },
      writeStatus: async (path, s) => {
        status = s;
        statusChanged();
        await writeStatusFile(path, s);
      },
      loadAllKeys,
      loadStoredPolicies,
      signal: controller.signal,
      log: (event) => {
        daemonLog.write(JSON.stringify({ time: new Date().toISOString(), service: "host-agent", instance: n, ...event }) + "\n");
        if (typeof event.event === "string" && NOTABLE.has(event.event)) {
          const { event: name, ...rest } = event;
          options.log(`host-agent ${n}: ${name} ${JSON.stringify(rest)}`);
        }
      },
    }).catch((error: unknown) => {
      options.log(`host-agent ${n}: fatal ${(error as Error).message}`);
      throw error;
    });
    const daemonStopped = daemon.then(() => {}, () => {});
    cleanups.push(async () => {
      controller.abort();
      await daemonStopped;
    });

    // Ready: the daemon's status says so (or it failed, or the wait timed out).
    const readyTimeoutMs = options.readyTimeoutMs ?? 180_000;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`instance ${n}: the host-agent did not report ready within ${readyTimeoutMs} ms (state ${status?.state ?? "none"}${status?.lastError ? `: ${status.lastError}` : ""})`)), readyTimeoutMs);
      const finish = (error?: Error) => {
        clearTimeout(timer);
        statusChanged = () => {};
        if (error) reject(error);
        else resolve();
      };
      statusChanged = () => {
        if (status?.ready) finish();
        // Keys exist but none could be loaded (e.g. KMS refuses this signer's PCR0): a start that cannot serve.
        else if (status?.state === "loading-keys" && status.keys && status.keys.accounts === 0 && status.keys.failed.length > 0) {
          finish(new Error(`instance ${n}: no key could be loaded: ${status.keys.failed[0]!.error}`));
        }
      };
      daemon.then(() => finish(new Error(`instance ${n}: the host-agent stopped before it was ready`)), (error) => finish(error as Error));
    });

    // The rpc-proxy as createRpcProxyFromConfig wires it (signer client, node, state table with the same bounds),
    // except that the table's client signs with explicit credentials: in this process there is no instance role.
    const signerClient = createSignerClient(() => nodeTransport.connect(config.signer));
    const upstream = createUpstream(options.upstreamUrl, { batches: true });
    const dynamodb = options.state && new DynamoDBClient({
      region: options.state.region,
      endpoint: options.state.endpoint,
      credentials: options.state.credentials,
      maxAttempts: 2,
      requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
    });
    cleanups.push(async () => {
      signerClient.close();
      dynamodb?.destroy();
      await upstream.close();
    });
    const app = createRpcProxy({
      signer: signerClient,
      upstream,
      maxBodyBytes: 1024 * 1024,
      maxBatchSize: 100,
      allowedHosts: defaultAllowedHosts(options.host),
      ...options.proxy,
      ...(options.proxyLog ? { log: options.proxyLog } : {}),
      ...(dynamodb && options.state ? { state: { client: dynamodb, table: options.state.table } } : {}),
    });
    const server = await listen(withHostAgentReadiness(app.fetch, () => status), options.host, options.port);
    cleanups.push(() => new Promise<void>((done) => server.close(() => done())));
    const port = (server.address() as AddressInfo).port;
    const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
    return {
      index: n,
      url,
      upstreamUrl: options.upstreamUrl,
      signerAddress,
      statusFile,
      status: () => status,
      async signerProcessId() {
        return (await nitroCli.describeEnclaves())[0]?.ProcessID;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The proxy's `/readyz` with the host-agent's word added (`checks.hostAgent`): ready only while the daemon's
 * status is ready and fresh (`isEnclaveReady`), as an instance's health check reads the status file.
 */
function withHostAgentReadiness(
  fetch: (request: Request) => Response | Promise<Response>,
  status: () => EnclaveStatus | undefined,
): (request: Request) => Promise<Response> {
  return async (request) => {
    const response = await fetch(request);
    if (request.method !== "GET" || new URL(request.url).pathname !== "/readyz") return response;
    let body: { ready?: boolean; checks?: Record<string, unknown> };
    try {
      body = await response.clone().json();
    } catch {
      return response;
    }
    const s = status();
    const hostAgent = isEnclaveReady(s, Date.now())
      ? { ready: true, detail: s!.state }
      : { ready: false, detail: s ? `${s.state}${s.lastError ? `: ${s.lastError}` : ""}` : "no status yet" };
    const ready = response.status === 200 && hostAgent.ready;
    return Response.json({ ...body, ready, checks: { ...body.checks, hostAgent } }, { status: ready ? 200 : 503 });
  };
}

function listen(fetch: (request: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }, () => resolve(server));
    server.once("error", reject);
  });
}
