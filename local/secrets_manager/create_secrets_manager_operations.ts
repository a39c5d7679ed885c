import type { AwsJsonOperation } from "../aws/create_aws_json_handler.ts";
import type { JsonFileStore } from "../aws/json_file_store.ts";
import { createSecretAdminOperations } from "./create_secret_admin_operations.ts";
import { createSecretListingOperations } from "./create_secret_listing_operations.ts";
import { createSecretValueOperations } from "./create_secret_value_operations.ts";
import { createSecretsAccess } from "./create_secrets_access.ts";
import type { SecretsManagerAuthorizeRequest, SecretsState } from "./secrets_state.ts";

export type CreateSecretsManagerOperationsOptions = {
  /** The stand-in's state (the Node stand-in passes a JSON file store). */
  readonly store: JsonFileStore<SecretsState>;
  readonly region: string;
  readonly accountId: string;
  /**
   * Stands in for IAM: return false to answer `AccessDeniedException`. The stand-in has no IAM policies;
   * by default every authenticated caller may do everything.
   */
  readonly authorize?: (request: SecretsManagerAuthorizeRequest) => boolean;
};

/**
 * The Secrets Manager operations of the local stand-in (AWS Secrets Manager API Reference, 2017-10-17):
 * CreateSecret, GetSecretValue, PutSecretValue, DescribeSecret, ListSecrets (filters `name`, `description`,
 * `tag-key`, `tag-value`, `all`, with `!` negation), TagResource, UntagResource, DeleteSecret and RestoreSecret,
 * with the staging labels AWSCURRENT / AWSPREVIOUS and AWS's error names (`ResourceNotFoundException`,
 * `ResourceExistsException`, `InvalidParameterException`, `InvalidRequestException`, `AccessDeniedException`).
 *
 * @example
 * ```ts
 * const handler = createAwsJsonHandler({ service: "secretsmanager", targetPrefix: "secretsmanager", region,
 *   credentials: () => creds, operations: createSecretsManagerOperations({ store, region, accountId }) });
 * ```
 */
export function createSecretsManagerOperations(
  options: CreateSecretsManagerOperationsOptions,
): Record<string, AwsJsonOperation> {
  const { store, region, accountId } = options;
  const access = createSecretsAccess({ region, accountId, ...(options.authorize ? { authorize: options.authorize } : {}) });
  return {
    ...createSecretValueOperations({ store, access }),
    ...createSecretListingOperations({ store, access }),
    ...createSecretAdminOperations({ store, access }),
  };
}
