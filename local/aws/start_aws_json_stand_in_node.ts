import { join, resolve } from "node:path";
import { ensureLocalTls } from "../tls/ensure_local_tls_node.ts";
import { type AwsJsonOperation, createAwsJsonHandler } from "./create_aws_json_handler.ts";
import type { JsonFileStore } from "./json_file_store.ts";
import { LOCAL_ACCOUNT_ID, type LocalCredential } from "./local_credential.ts";
import { openJsonFileStore } from "./open_json_file_store_node.ts";
import { resolveLocalCredentials } from "./resolve_local_credentials_node.ts";
import { serveHttps } from "./serve_https_node.ts";

/** What every local AWS stand-in accepts. */
export type AwsJsonStandInOptions = {
  /** State directory: the stand-in's state file below it, TLS material in `stateDir/ca/`. */
  readonly stateDir: string;
  /** Accepted credentials. @default the host and admin keys of `stateDir/credentials.json` */
  readonly credentials?: readonly LocalCredential[] | (() => readonly LocalCredential[]);
  /** @default "us-east-1" */
  readonly region?: string;
  /** Loopback address. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Current time in ms (SigV4 skew, and the operations' `context.now`). @default Date.now */
  readonly clock?: () => number;
};

/** What the operations of a stand-in are built from. */
export type AwsJsonStandInContext<T> = {
  readonly store: JsonFileStore<T>;
  readonly region: string;
  readonly accountId: string;
};

export type StartAwsJsonStandInOptions<T> = AwsJsonStandInOptions & {
  /** SigV4 signing name, e.g. `kms`, `secretsmanager`. */
  readonly service: string;
  /** `X-Amz-Target` prefix, e.g. `TrentService` (KMS), `secretsmanager`. */
  readonly targetPrefix: string;
  /** `__type` of unexpected failures, e.g. `KMSInternalException`. */
  readonly internalErrorType: string;
  /** The state file's path below `stateDir`, e.g. `["kms", "keys.json"]`. */
  readonly stateFile: readonly string[];
  /** The state of a new state file. */
  readonly initialState: () => T;
  /** Builds the operation table once the store is open. */
  readonly operations: (context: AwsJsonStandInContext<T>) => Readonly<Record<string, AwsJsonOperation>>;
};

export type AwsJsonStandIn = {
  /** `https://127.0.0.1:<port>`: the `endpoint` for the service's `@aws-sdk` client, trusting `caPem`. */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  /** The local CA that signed the server certificate (for `127.0.0.1` and `<service>.<region>.amazonaws.com`). */
  readonly caPem: string;
  close(): Promise<void>;
};

/**
 * Starts a local AWS JSON 1.1 stand-in, the steps the KMS and Secrets Manager stand-ins share: resolve the
 * accepted credentials, ensure the local CA and server certificate, open the JSON state file, build the
 * SigV4-checking handler ({@link createAwsJsonHandler}) around the service's operations, and serve it over HTTPS
 * on loopback. Node-only.
 *
 * @example
 * ```ts
 * const standIn = await startAwsJsonStandIn({
 *   stateDir: ".local", service: "secretsmanager", targetPrefix: "secretsmanager",
 *   internalErrorType: "InternalServiceError", stateFile: ["secrets", "secrets.json"],
 *   initialState: () => ({ format: 1, secrets: [] }),
 *   operations: ({ store, region, accountId }) => createSecretsManagerOperations({ store, region, accountId }),
 * });
 * await standIn.close();
 * ```
 */
export async function startAwsJsonStandIn<T>(options: StartAwsJsonStandInOptions<T>): Promise<AwsJsonStandIn> {
  const stateDir = resolve(options.stateDir);
  const region = options.region ?? "us-east-1";
  const credentials = await resolveLocalCredentials(stateDir, options.credentials);
  const tls = await ensureLocalTls(stateDir, { regions: [region] });
  const store = await openJsonFileStore<T>(join(stateDir, ...options.stateFile), options.initialState);
  const handler = createAwsJsonHandler({
    service: options.service,
    targetPrefix: options.targetPrefix,
    region,
    credentials,
    internalErrorType: options.internalErrorType,
    operations: options.operations({ store, region, accountId: LOCAL_ACCOUNT_ID }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server = await serveHttps(handler, {
    tls,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return { url: server.url, port: server.port, region, caPem: tls.caPem, close: () => server.close() };
}
