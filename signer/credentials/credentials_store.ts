import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";

export type AwsCredentials = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** When the credentials expire, if they do. */
  readonly expiration?: Date;
};

/** The signer has no AWS credentials yet, or they expired: the host-agent must push fresh ones. */
export class NoCredentialsError extends BaseError {
  override readonly name = "Signer.NoCredentialsError";
  constructor(message: string) {
    super(ErrorCode.noCredentials, message);
  }
}

export type CredentialsStore = {
  /** Validates and stores credentials pushed by the host-agent (`credentials.put`). */
  put(params: unknown): { region: string; expiration: string | null };
  /** The current credentials, or NoCredentialsError. */
  get(): AwsCredentials;
  region(): string | undefined;
};

/**
 * Holds the AWS credentials the host-agent reads from IMDSv2 and pushes to the signer (the enclave never
 * reaches IMDS). They are kept only in memory and never echoed back.
 *
 * @example
 * ```ts
 * const credentials = createCredentialsStore({ region: "us-east-1" });
 * credentials.put({ accessKeyId, secretAccessKey, sessionToken, expiration, region });
 * ```
 */
export function createCredentialsStore(options: { region?: string; clock?: () => number } = {}): CredentialsStore {
  const clock = options.clock ?? Date.now;
  let current: AwsCredentials | undefined;
  let region = options.region;
  return {
    put(params) {
      if (typeof params !== "object" || params === null) throw new InvalidParamsError("params", "expected a map");
      const p = params as Record<string, unknown>;
      const text = (field: string, pattern: RegExp) => {
        const value = p[field];
        if (typeof value !== "string" || !pattern.test(value)) throw new InvalidParamsError(field, "missing or malformed");
        return value;
      };
      const accessKeyId = text("accessKeyId", /^[A-Z0-9]{16,128}$/);
      const secretAccessKey = text("secretAccessKey", /^\S{16,128}$/);
      const sessionToken = p.sessionToken === undefined ? undefined : text("sessionToken", /^\S{1,4096}$/);
      const newRegion = p.region === undefined ? region : text("region", /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/);
      if (!newRegion) throw new InvalidParamsError("region", "is required (no default region configured)");
      let expiration: Date | undefined;
      if (p.expiration !== undefined) {
        expiration = new Date(text("expiration", /^\d{4}-\d\d-\d\dT/));
        if (Number.isNaN(expiration.getTime())) throw new InvalidParamsError("expiration", "not an ISO time");
        if (expiration.getTime() <= clock()) throw new InvalidParamsError("expiration", "the credentials have already expired");
      }
      current = {
        accessKeyId,
        secretAccessKey,
        ...(sessionToken === undefined ? {} : { sessionToken }),
        ...(expiration === undefined ? {} : { expiration }),
      };
      region = newRegion;
      return { region: newRegion, expiration: expiration?.toISOString() ?? null };
    },
    get() {
      if (!current) throw new NoCredentialsError("No AWS credentials: the host-agent has not pushed any yet");
      if (current.expiration && current.expiration.getTime() <= clock()) {
        throw new NoCredentialsError("AWS credentials expired: the host-agent must push fresh ones");
      }
      return current;
    },
    region: () => region,
  };
}
