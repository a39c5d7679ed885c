import { ImdsError, ImdsErrorCode } from "./imds_error.ts";

/** Role credentials as IMDS serves them, parsed. */
export type ImdsCredentials = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  readonly lastUpdated?: Date;
};

/**
 * Parses the body of `GET /latest/meta-data/iam/security-credentials/<role>`:
 * `{ "Code": "Success", "LastUpdated", "Type": "AWS-HMAC", "AccessKeyId", "SecretAccessKey", "Token", "Expiration" }`
 * (EC2 User Guide, "Retrieve security credentials from instance metadata"). Throws ImdsError (IMDS_BAD_RESPONSE)
 * on anything else; the message never includes the secret parts.
 *
 * @example
 * ```ts
 * const credentials = parseImdsCredentials(await response.text());
 * credentials.expiration; // Date
 * ```
 */
export function parseImdsCredentials(body: string): ImdsCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (cause) {
    throw new ImdsError(ImdsErrorCode.badResponse, "Cannot parse IMDS credentials: not JSON", { cause });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ImdsError(ImdsErrorCode.badResponse, "Cannot parse IMDS credentials: not a JSON object");
  }
  const p = parsed as Record<string, unknown>;
  if (p.Code !== "Success") {
    throw new ImdsError(ImdsErrorCode.badResponse, `Cannot use IMDS credentials: Code is ${JSON.stringify(p.Code)}, not "Success"`);
  }
  const field = (name: string): string => {
    const value = p[name];
    if (typeof value !== "string" || value === "") {
      throw new ImdsError(ImdsErrorCode.badResponse, `Cannot parse IMDS credentials: ${name} is missing`);
    }
    return value;
  };
  const time = (name: string): Date => {
    const value = new Date(field(name));
    if (Number.isNaN(value.getTime())) throw new ImdsError(ImdsErrorCode.badResponse, `Cannot parse IMDS credentials: ${name} is not a time`);
    return value;
  };
  const lastUpdated = typeof p.LastUpdated === "string" ? time("LastUpdated") : undefined;
  return {
    accessKeyId: field("AccessKeyId"),
    secretAccessKey: field("SecretAccessKey"),
    sessionToken: field("Token"),
    expiration: time("Expiration"),
    ...(lastUpdated === undefined ? {} : { lastUpdated }),
  };
}
