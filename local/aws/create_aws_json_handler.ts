import { AwsJsonError } from "./aws_json_error.ts";
import type { LocalCredential } from "./local_credential.ts";
import { verifySigV4Request } from "./verify_sigv4_request.ts";

/** What an operation handler learns about the caller. */
export type AwsJsonContext = {
  /** The credential whose signature verified; `principalArn` is the caller's identity. */
  readonly caller: LocalCredential;
  readonly requestId: string;
  /** Time of the request (ms), from the server's clock. */
  readonly now: number;
};

/** One operation: input is the parsed JSON body, output is serialised as the JSON response. */
export type AwsJsonOperation = (input: Record<string, unknown>, context: AwsJsonContext) => Promise<unknown> | unknown;

export type CreateAwsJsonHandlerOptions = {
  /** SigV4 signing name, e.g. `kms`, `secretsmanager`. */
  readonly service: string;
  /** `X-Amz-Target` prefix, e.g. `TrentService` (KMS), `secretsmanager`. */
  readonly targetPrefix: string;
  readonly region: string;
  /** Credentials accepted, read on every request (so temporary ones can be added and rotated). */
  readonly credentials: () => readonly LocalCredential[];
  /** Operation name (the part after the dot in `X-Amz-Target`) → handler. */
  readonly operations: Readonly<Record<string, AwsJsonOperation>>;
  /** Current time in ms. @default Date.now */
  readonly clock?: () => number;
  /** Largest request body accepted. @default 1 MiB */
  readonly maxBodyBytes?: number;
  /** `__type` of unexpected failures: KMS says `KMSInternalException`, Secrets Manager `InternalServiceError`. */
  readonly internalErrorType?: string;
  /** Called with every failed request (for logs); never sees credentials. */
  readonly onError?: (error: unknown, operation: string | undefined) => void;
};

const CONTENT_TYPE = "application/x-amz-json-1.1";

/**
 * The shared server side of an AWS JSON 1.1 service (the protocol of KMS and Secrets Manager): a web-standard
 * `(Request) => Promise<Response>` that accepts only `POST /` with `Content-Type: application/x-amz-json-1.1`,
 * verifies the SigV4 signature ({@link verifySigV4Request}), dispatches on `X-Amz-Target: <prefix>.<Operation>`
 * and answers `200` with the operation's JSON, or an AWS error: `{ "__type": name, "message": text }` with the
 * `x-amzn-ErrorType` header, which the real `@aws-sdk/*` clients map to their exception classes.
 *
 * @example
 * ```ts
 * const handler = createAwsJsonHandler({ service: "kms", targetPrefix: "TrentService", region, credentials: () => creds,
 *   operations: { GenerateRandom: ({ NumberOfBytes }) => ({ Plaintext: "…" }) } });
 * const response = await handler(request);
 * ```
 */
export function createAwsJsonHandler(options: CreateAwsJsonHandlerOptions): (request: Request) => Promise<Response> {
  const clock = options.clock ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  return async function handleAwsJson(request: Request): Promise<Response> {
    const requestId = crypto.randomUUID();
    let operation: string | undefined;
    try {
      const url = new URL(request.url);
      if (request.method !== "POST" || url.pathname !== "/") {
        throw new AwsJsonError("UnknownOperationException", `${request.method} ${url.pathname} is not an operation`, { status: 404 });
      }
      const declaredLength = Number(request.headers.get("content-length") ?? "0");
      if (declaredLength > maxBodyBytes) throw new AwsJsonError("SerializationException", `Request body exceeds ${maxBodyBytes} bytes`, { status: 413 });
      const body = new Uint8Array(await request.arrayBuffer());
      if (body.length > maxBodyBytes) throw new AwsJsonError("SerializationException", `Request body exceeds ${maxBodyBytes} bytes`, { status: 413 });

      const now = clock();
      const caller = await verifySigV4Request(request, body, {
        service: options.service,
        region: options.region,
        credentials: options.credentials(),
        now,
      });

      const target = request.headers.get("x-amz-target") ?? "";
      const dot = target.indexOf(".");
      operation = dot > 0 ? target.slice(dot + 1) : undefined;
      const handler = operation !== undefined && target.slice(0, dot) === options.targetPrefix && Object.hasOwn(options.operations, operation)
        ? options.operations[operation]
        : undefined;
      if (!handler) throw new AwsJsonError("UnknownOperationException", `Unknown operation ${JSON.stringify(target)}`);
      if (!(request.headers.get("content-type") ?? "").startsWith(CONTENT_TYPE)) {
        throw new AwsJsonError("SerializationException", `Content-Type must be ${CONTENT_TYPE}`);
      }

      let input: unknown;
      try {
        input = body.length === 0 ? {} : JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
      } catch {
        throw new AwsJsonError("SerializationException", "Request body is not valid JSON");
      }
      if (typeof input !== "object" || input === null || Array.isArray(input)) {
        throw new AwsJsonError("SerializationException", "Request body must be a JSON object");
      }
      const output = await handler(input as Record<string, unknown>, { caller, requestId, now });
      return json(200, output ?? {}, requestId);
    } catch (error) {
      options.onError?.(error, operation);
      if (error instanceof AwsJsonError) {
        return json(error.status, { __type: error.type, message: error.shortMessage }, requestId, error.type);
      }
      // Unknown failures say nothing about their cause (STYLE: no stack or secret in a reply).
      const type = options.internalErrorType ?? "InternalFailure";
      return json(500, { __type: type, message: "We encountered an internal error. Please try again." }, requestId, type);
    }
  };
}

function json(status: number, body: unknown, requestId: string, errorType?: string): Response {
  const headers: Record<string, string> = { "content-type": CONTENT_TYPE, "x-amzn-requestid": requestId };
  if (errorType) headers["x-amzn-errortype"] = errorType;
  return new Response(JSON.stringify(body), { status, headers });
}
