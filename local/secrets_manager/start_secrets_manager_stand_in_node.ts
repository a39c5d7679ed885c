import { join, resolve } from "node:path";
import { createAwsJsonHandler } from "../aws/create_aws_json_handler.ts";
import { LOCAL_ACCOUNT_ID, type LocalCredential } from "../aws/local_credential.ts";
import { openJsonFileStore } from "../aws/open_json_file_store_node.ts";
import { resolveLocalCredentials } from "../aws/resolve_local_credentials_node.ts";
import { serveHttps } from "../aws/serve_https_node.ts";
import { ensureLocalTls } from "../tls/ensure_local_tls_node.ts";
import {
  createSecretsManagerOperations,
  type SecretsManagerAuthorizeRequest,
  type SecretsState,
} from "./create_secrets_manager_operations.ts";

export type StartSecretsManagerStandInOptions = {
  /** State directory; secrets persist in `stateDir/secrets/secrets.json`, TLS material in `stateDir/ca/`. */
  readonly stateDir: string;
  /** Accepted credentials. @default the host and admin keys of `stateDir/credentials.json` */
  readonly credentials?: readonly LocalCredential[] | (() => readonly LocalCredential[]);
  /** @default "us-east-1" */
  readonly region?: string;
  /** Loopback address. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Current time in ms. @default Date.now */
  readonly clock?: () => number;
  /** Stands in for IAM (see `createSecretsManagerOperations`). @default allow every authenticated caller */
  readonly authorize?: (request: SecretsManagerAuthorizeRequest) => boolean;
};

export type SecretsManagerStandIn = {
  /** `https://127.0.0.1:<port>`: give it as `endpoint` to `SecretsManagerClient`, trusting `caPem`. */
  readonly url: string;
  readonly region: string;
  /** The local CA that signed the server certificate. */
  readonly caPem: string;
  close(): Promise<void>;
};

/**
 * Starts the local Secrets Manager stand-in: AWS JSON 1.1 (`X-Amz-Target: secretsmanager.<Operation>`) over
 * HTTPS on loopback, SigV4 checked against `credentials`, state persisted in the state directory. The real
 * `@aws-sdk/client-secrets-manager` talks to it unchanged.
 *
 * @example
 * ```ts
 * const sm = await startSecretsManagerStandIn({ stateDir: ".local" });
 * const client = new SecretsManagerClient({ region: sm.region, endpoint: sm.url, credentials: admin,
 *   requestHandler: new NodeHttpHandler({ httpsAgent: new https.Agent({ ca: sm.caPem }) }) });
 * // …
 * await sm.close();
 * ```
 */
export async function startSecretsManagerStandIn(options: StartSecretsManagerStandInOptions): Promise<SecretsManagerStandIn> {
  const stateDir = resolve(options.stateDir);
  const region = options.region ?? "us-east-1";
  const credentials = await resolveLocalCredentials(stateDir, options.credentials);
  const tls = await ensureLocalTls(stateDir, { regions: [region] });
  const store = await openJsonFileStore<SecretsState>(join(stateDir, "secrets", "secrets.json"), () => ({ format: 1, secrets: [] }));
  const handler = createAwsJsonHandler({
    service: "secretsmanager",
    targetPrefix: "secretsmanager",
    region,
    credentials,
    internalErrorType: "InternalServiceError",
    operations: createSecretsManagerOperations({
      store,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      ...(options.authorize ? { authorize: options.authorize } : {}),
    }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server = await serveHttps(handler, {
    tls,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return { url: server.url, region, caPem: tls.caPem, close: () => server.close() };
}
