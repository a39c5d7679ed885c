import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { createSignerClient, type Transport } from "../signer/mod.ts";
import { createRpcProxy, type RpcProxyApp } from "./create_rpc_proxy.ts";
import type { ProxyConfig } from "./parse_proxy_config.ts";
import { createUpstream } from "./upstream/create_upstream.ts";

export type CreateRpcProxyFromConfigOptions = {
  /** Where request log lines go when `config.logRequests` is not false. @default nowhere */
  log?: (line: string) => void;
  /**
   * Credentials for the state table (`config.stateTable`), e.g. the local stack's host keys for its DynamoDB stand-in.
   * @default the AWS SDK's default chain (environment, then the instance role)
   */
  dynamodbCredentials?: DynamoDBClientConfig["credentials"];
};

/**
 * Wires a proxy (signer client, upstream, app) from its configuration and a runtime's transport. It starts
 * nothing: the caller serves `app.fetch` and calls `close()` (signer connection, upstream) when it stops.
 *
 * @example
 * ```ts
 * const { app, close } = createRpcProxyFromConfig(config, nodeTransport, { log: (line) => process.stderr.write(`${line}\n`) });
 * ```
 */
export function createRpcProxyFromConfig(config: ProxyConfig, transport: Transport, options: CreateRpcProxyFromConfigOptions = {}): { app: RpcProxyApp; close(): Promise<void> } {
  const signer = createSignerClient(() => transport.connect(config.signer));
  const upstream = createUpstream(config.upstreamUrl, { batches: config.upstreamBatches ?? true });
  // The fleet's state table: credentials from the SDK's default chain (the instance role on AWS, env locally);
  // bounded so an unreachable DynamoDB fails a request (and /readyz) in seconds, never hangs it.
  const dynamodb = config.stateTable === undefined ? undefined : new DynamoDBClient({
    ...(config.region ? { region: config.region } : {}),
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
    ...(options.dynamodbCredentials ? { credentials: options.dynamodbCredentials } : {}),
    maxAttempts: 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 },
  });
  const app = createRpcProxy({
    signer,
    upstream,
    maxBodyBytes: config.maxBodyBytes,
    maxBatchSize: config.maxBatchSize,
    ...(config.apiKeys ? { apiKeys: config.apiKeys } : {}),
    ...(config.corsOrigins ? { corsOrigins: config.corsOrigins } : {}),
    ...(config.allowedHosts ? { allowedHosts: config.allowedHosts } : {}),
    ...(options.log && config.logRequests !== false ? { log: options.log } : {}),
    ...(dynamodb && config.stateTable ? { state: { client: dynamodb, table: config.stateTable } } : {}),
  });
  return {
    app,
    async close() {
      signer.close();
      dynamodb?.destroy();
      await upstream.close();
    },
  };
}
