import { serve } from "@hono/node-server";
import dynalite from "dynalite";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { AwsJsonError } from "../aws/aws_json_error.ts";
import type { LocalCredential } from "../aws/local_credential.ts";
import { resolveLocalCredentials } from "../aws/resolve_local_credentials_node.ts";
import { verifySigV4Request } from "../aws/verify_sigv4_request.ts";

export type StartDynamoDbStandInOptions = {
  /** Directory of dynalite's LevelDB store (e.g. `<stateDir>/dynamodb`). @default in memory */
  readonly path?: string;
  /** Loopback address. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** @default "us-east-1" */
  readonly region?: string;
  /** Accepted credentials. @default the host and admin keys of `stateDir/credentials.json` */
  readonly credentials?: readonly LocalCredential[] | (() => readonly LocalCredential[]);
  /** Where the default credentials live (required unless `credentials` is given). */
  readonly stateDir?: string;
  /** Current time in ms (SigV4 skew). @default Date.now */
  readonly clock?: () => number;
};

export type DynamoDbStandIn = {
  /** `http://127.0.0.1:<port>`: the `endpoint` of a `DynamoDBClient`. */
  readonly endpoint: string;
  readonly port: number;
  readonly region: string;
  /** Stops listening, drops open connections and closes the LevelDB store. */
  stop(): Promise<void>;
};

/** Largest request body DynamoDB accepts (16 MiB, the BatchWriteItem limit). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const CONTENT_TYPE = "application/x-amz-json-1.0";
const LOOPBACK = new Set(["127.0.0.1", "::1", "localhost"]);

/**
 * Starts the local DynamoDB: dynalite (the LevelDB-backed implementation of the DynamoDB API; data under `path`,
 * in memory without it) on a private loopback port, behind a front that verifies every request's SigV4 signature
 * (service `dynamodb`) like the KMS and Secrets Manager stand-ins do, and forwards only signed requests. Plain
 * HTTP on loopback: the real `@aws-sdk/client-dynamodb` talks to `endpoint`. Node-only.
 *
 * @example
 * ```ts
 * const dynamodb = await startDynamoDbStandIn({ path: ".local/dynamodb", stateDir: ".local" });
 * const client = new DynamoDBClient({ region: "us-east-1", endpoint: dynamodb.endpoint, credentials: host });
 * await ensureStateTable(client, "nitro-signer-state");
 * await dynamodb.stop();
 * ```
 */
export async function startDynamoDbStandIn(options: StartDynamoDbStandInOptions = {}): Promise<DynamoDbStandIn> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.has(host)) throw new RangeError(`Cannot serve on ${host}: local stand-ins bind loopback only`);
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`Invalid port: ${port}`);
  if (options.credentials === undefined && options.stateDir === undefined) {
    throw new TypeError("startDynamoDbStandIn needs credentials or a stateDir holding credentials.json");
  }
  const region = options.region ?? "us-east-1";
  const clock = options.clock ?? Date.now;
  const credentials = await resolveLocalCredentials(options.stateDir ?? "", options.credentials);

  const inner = dynalite({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  }) as Server;
  await new Promise<void>((done, fail) => {
    inner.once("error", fail);
    inner.listen(0, "127.0.0.1", () => done());
  });
  const innerUrl = `http://127.0.0.1:${(inner.address() as AddressInfo).port}`;

  const handler = async (request: Request): Promise<Response> => {
    try {
      const declared = Number(request.headers.get("content-length") ?? "0");
      if (declared > MAX_BODY_BYTES) throw new AwsJsonError("SerializationException", `Request body exceeds ${MAX_BODY_BYTES} bytes`, { status: 413 });
      const body = new Uint8Array(await request.arrayBuffer());
      if (body.length > MAX_BODY_BYTES) throw new AwsJsonError("SerializationException", `Request body exceeds ${MAX_BODY_BYTES} bytes`, { status: 413 });
      await verifySigV4Request(request, body, { service: "dynamodb", region, credentials: credentials(), now: clock() });
      const headers = new Headers();
      request.headers.forEach((value, name) => {
        if (name !== "host" && name !== "content-length" && name !== "connection") headers.set(name, value);
      });
      const url = new URL(request.url);
      const answer = await fetch(`${innerUrl}${url.pathname}${url.search}`, { method: request.method, headers, body });
      const out = new Headers();
      answer.headers.forEach((value, name) => {
        if (!["content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive", "date"].includes(name)) out.set(name, value);
      });
      return new Response(await answer.arrayBuffer(), { status: answer.status, headers: out });
    } catch (error) {
      if (error instanceof AwsJsonError) return awsError(error.status, error.type, error.shortMessage);
      return awsError(500, "InternalServerError", "We encountered an internal error. Please try again.");
    }
  };

  const front = await new Promise<Server>((done, fail) => {
    const server = serve({ fetch: handler, hostname: host, port }) as Server;
    server.once("error", fail);
    server.once("listening", () => done(server));
  });
  const bound = (front.address() as AddressInfo).port;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${host.includes(":") ? `[${host}]` : host}:${bound}`,
    port: bound,
    region,
    stop: () =>
      (stopped ??= (async () => {
        await new Promise<void>((done) => {
          front.close(() => done());
          front.closeAllConnections();
        });
        await new Promise<void>((done) => inner.close(() => done()));
      })()),
  };
}

/** An AWS JSON 1.0 error, as DynamoDB sends it (`__type` namespaced the way the SDK expects). */
function awsError(status: number, type: string, message: string): Response {
  return new Response(JSON.stringify({ __type: `com.amazon.coral.service#${type}`, message }), {
    status,
    headers: { "content-type": CONTENT_TYPE, "x-amzn-errortype": type, "x-amzn-requestid": crypto.randomUUID() },
  });
}
