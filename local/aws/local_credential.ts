/**
 * One set of credentials a local AWS stand-in accepts, and the IAM principal they act as. Long-term keys
 * (`AKIA…`) have no session token; temporary ones (`ASIA…`, like instance-role credentials from IMDS) carry a
 * session token that every request must present and an expiry after which requests fail with
 * `ExpiredTokenException`.
 */
export type LocalCredential = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  /** Expiry of temporary credentials (ms since the epoch, or a Date). */
  readonly expiration?: Date | number;
  /** IAM principal ARN, e.g. `arn:aws:iam::111122223333:role/nitro-signer-instance`. Key policies match on it. */
  readonly principalArn: string;
};

/** The account every local stand-in lives in. */
export const LOCAL_ACCOUNT_ID = "111122223333";

/** Principal of the parent instance's role (DESIGN §6: the host-agent passes its credentials to the signer). */
export const LOCAL_INSTANCE_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/nitro-signer-instance`;

/** Principal of the key administrator. */
export const LOCAL_ADMIN_ROLE_ARN = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/nitro-signer-admin`;
