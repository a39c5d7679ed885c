import { RemovalPolicy, SecretValue, Validations } from "aws-cdk-lib";
import type { IGrantable } from "aws-cdk-lib/aws-iam";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";

/** Where the rpc-proxy's unit has `host-agent api-keys fetch` write the keys (its RuntimeDirectory). */
export const API_KEYS_FILE = "/run/nitro-signer-rpc-proxy/api-keys.json";

export interface SignerApiKeysProps {
  /** The instance role, which reads the secret before the rpc-proxy starts. */
  readonly reader: IGrantable;
}

/**
 * The rpc-proxy's API keys: one Secrets Manager secret holding the `--api-keys` file's JSON with hashes only
 * (`keySha256`), created as `[]`, so a new deployment refuses every JSON-RPC request (401) until an operator
 * adds a key (deploy/README "API keys"). Nothing of it is in the launch template: each instance reads it when
 * the rpc-proxy starts (`host-agent api-keys fetch`, the unit's ExecStartPre).
 *
 * @example
 * ```ts
 * const apiKeys = new SignerApiKeys(this, "ApiKeys", { reader: role });
 * env.API_KEYS_SECRET_ID = apiKeys.secret.secretArn;
 * ```
 */
export class SignerApiKeys extends Construct {
  public readonly secret: Secret;

  constructor(scope: Construct, id: string, props: SignerApiKeysProps) {
    super(scope, id);
    this.secret = new Secret(this, "Secret", {
      description: "nitro-eth-signer rpc-proxy API keys: [{ name, keySha256, accounts, methods }], hashes only",
      // Not a secret: an empty list. Operators put the keys' hashes in it (put-secret-value), never the keys.
      secretStringValue: SecretValue.unsafePlainText("[]"),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.secret.grantRead(props.reader);
    Validations.of(this.secret).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The secret holds SHA-256 hashes of API keys, not keys: there is nothing for a rotation Lambda to rotate. " +
        "Operators rotate a client's key by adding the new hash and removing the old one (deploy/README).",
    });
  }
}
