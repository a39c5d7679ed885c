import { Sha256 } from "@smithy/core/checksum";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { bytesToHex } from "viem";
import { AwsJsonError } from "./aws_json_error.ts";
import type { LocalCredential } from "./local_credential.ts";

/** AWS allows a request's `X-Amz-Date` to be at most 15 minutes from the server's clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export type VerifySigV4RequestOptions = {
  /** Signing name of the service (`kms`, `secretsmanager`). */
  readonly service: string;
  readonly region: string;
  /** The credentials this server accepts. */
  readonly credentials: readonly LocalCredential[];
  /** Current time in ms. @default Date.now() */
  readonly now?: number;
};

export type VerifySigV4RequestErrorType = AwsJsonError;

/** Headers a JSON-protocol request must sign: the endpoint, the time and the operation. */
const REQUIRED_SIGNED_HEADERS = ["host", "x-amz-date", "x-amz-target"] as const;

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([A-Za-z0-9]{16,128})\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;._-]+), ?Signature=([0-9a-f]{64})$/;

/**
 * Checks the AWS Signature Version 4 of a request (AWS General Reference, "Signature Version 4 signing
 * process") the way an AWS endpoint does, and returns the credential that signed it. The signature is
 * recomputed with `@smithy/signature-v4` over exactly the headers the client listed in `SignedHeaders`, then
 * compared in constant time. Also enforced: the credential scope (date, region, service), `X-Amz-Date` within
 * 15 minutes of `now`, `host`/`x-amz-date`/`x-amz-target` among the signed headers, a declared
 * `x-amz-content-sha256` matching the body, and for temporary credentials the session token (present, equal,
 * signed, not expired).
 *
 * Errors use the AWS exception names: `MissingAuthenticationTokenException`, `IncompleteSignatureException`,
 * `UnrecognizedClientException`, `InvalidSignatureException`, `ExpiredTokenException`.
 *
 * @example
 * ```ts
 * const credential = await verifySigV4Request(request, body, { service: "kms", region, credentials });
 * ```
 */
export async function verifySigV4Request(
  request: Request,
  body: Uint8Array,
  options: VerifySigV4RequestOptions,
): Promise<LocalCredential> {
  const now = options.now ?? Date.now();
  const authorization = request.headers.get("authorization");
  if (!authorization) throw new AwsJsonError("MissingAuthenticationTokenException", "Missing Authentication Token");
  const match = AUTHORIZATION.exec(authorization);
  if (!match) {
    throw new AwsJsonError(
      "IncompleteSignatureException",
      "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' (AWS4-HMAC-SHA256)",
    );
  }
  const [, accessKeyId, scopeDate, scopeRegion, scopeService, signedHeaderList, signature] = match as unknown as [
    string, string, string, string, string, string, string,
  ];

  const credential = options.credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) {
    throw new AwsJsonError("UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  const amzDate = request.headers.get("x-amz-date") ?? "";
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) {
    throw new AwsJsonError("IncompleteSignatureException", "X-Amz-Date must be in ISO 8601 basic format (YYYYMMDD'T'HHMMSS'Z')");
  }
  if (scopeDate !== amzDate.slice(0, 8)) {
    throw new AwsJsonError("InvalidSignatureException", `Credential should be scoped to a valid date: '${amzDate.slice(0, 8)}'`);
  }
  if (scopeRegion !== options.region) {
    throw new AwsJsonError("InvalidSignatureException", `Credential should be scoped to a valid region: '${options.region}'`);
  }
  if (scopeService !== options.service) {
    throw new AwsJsonError("InvalidSignatureException", `Credential should be scoped to correct service: '${options.service}'`);
  }
  if (Math.abs(now - signedAt) > MAX_CLOCK_SKEW_MS) {
    throw new AwsJsonError(
      "InvalidSignatureException",
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
    );
  }

  const signedHeaders = signedHeaderList.split(";");
  if (signedHeaders.join(";") !== [...new Set(signedHeaders)].sort().join(";")) {
    throw new AwsJsonError("IncompleteSignatureException", "SignedHeaders must be sorted, lowercase and unique");
  }
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (!signedHeaders.includes(name)) {
      throw new AwsJsonError("InvalidSignatureException", `'${name}' must be a signed header`);
    }
  }

  const token = request.headers.get("x-amz-security-token");
  if (credential.sessionToken !== undefined) {
    if (token === null || !constantTimeEqual(token, credential.sessionToken)) {
      throw new AwsJsonError("UnrecognizedClientException", "The security token included in the request is invalid.");
    }
    if (!signedHeaders.includes("x-amz-security-token")) {
      throw new AwsJsonError("InvalidSignatureException", "'x-amz-security-token' must be a signed header");
    }
    if (credential.expiration !== undefined && now >= +credential.expiration) {
      throw new AwsJsonError("ExpiredTokenException", "The security token included in the request is expired");
    }
  } else if (token !== null) {
    throw new AwsJsonError("UnrecognizedClientException", "The security token included in the request is invalid.");
  }

  const bodyHash = bytesToHex(new Uint8Array(await crypto.subtle.digest("SHA-256", body.slice()))).slice(2);
  const declaredHash = request.headers.get("x-amz-content-sha256");
  if (declaredHash !== null && declaredHash !== bodyHash) {
    throw new AwsJsonError("InvalidSignatureException", "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = request.headers.get(name);
    if (value === null) throw new AwsJsonError("InvalidSignatureException", `Signed header '${name}' is missing`);
    headers[name] = value;
  }
  const url = new URL(request.url);
  const query: Record<string, string | string[]> = {};
  for (const [key, value] of url.searchParams) {
    const previous = query[key];
    query[key] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  const signer = new SignatureV4({
    service: options.service,
    region: options.region,
    credentials: {
      accessKeyId: credential.accessKeyId,
      secretAccessKey: credential.secretAccessKey,
      ...(credential.sessionToken === undefined ? {} : { sessionToken: credential.sessionToken }),
    },
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      path: url.pathname,
      query,
      headers,
      body,
    }),
    { signingDate: new Date(signedAt), signableHeaders: new Set(signedHeaders) },
  );
  const expected = AUTHORIZATION.exec(String(signed.headers["authorization"] ?? ""));
  if (!expected || expected[5] !== signedHeaderList || !constantTimeEqual(expected[6]!, signature)) {
    throw new AwsJsonError(
      "InvalidSignatureException",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
    );
  }
  return credential;
}

/** `YYYYMMDDTHHMMSSZ` → ms, or undefined. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) || formatAmzDate(ms) !== value ? undefined : ms;
}

function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}


/** Compares two strings without an early exit on the first difference (length is not secret here). */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
