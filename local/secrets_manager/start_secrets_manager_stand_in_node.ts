import { type AwsJsonStandIn, type AwsJsonStandInOptions, startAwsJsonStandIn } from "../aws/start_aws_json_stand_in_node.ts";
import { createSecretsManagerOperations } from "./create_secrets_manager_operations.ts";
import type { SecretsManagerAuthorizeRequest, SecretsState } from "./secrets_state.ts";

export type StartSecretsManagerStandInOptions = AwsJsonStandInOptions & {
  /** Stands in for IAM (see `createSecretsManagerOperations`). @default allow every authenticated caller */
  readonly authorize?: (request: SecretsManagerAuthorizeRequest) => boolean;
};

/** The running Secrets Manager stand-in: give `url` as `endpoint` to `SecretsManagerClient`, trusting `caPem`. */
export type SecretsManagerStandIn = AwsJsonStandIn;

/**
 * Starts the local Secrets Manager stand-in: AWS JSON 1.1 (`X-Amz-Target: secretsmanager.<Operation>`) over
 * HTTPS on loopback, SigV4 checked against `credentials`, secrets persisted in `stateDir/secrets/secrets.json`.
 * The real `@aws-sdk/client-secrets-manager` talks to it unchanged.
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
export function startSecretsManagerStandIn(options: StartSecretsManagerStandInOptions): Promise<SecretsManagerStandIn> {
  const { authorize, ...common } = options;
  return startAwsJsonStandIn({
    ...common,
    service: "secretsmanager",
    targetPrefix: "secretsmanager",
    internalErrorType: "InternalServiceError",
    stateFile: ["secrets", "secrets.json"],
    initialState: (): SecretsState => ({ format: 1, secrets: [] }),
    operations: ({ store, region, accountId }) =>
      createSecretsManagerOperations({ store, region, accountId, ...(authorize ? { authorize } : {}) }),
  });
}
