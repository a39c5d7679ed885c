import { type HttpHandler, type HttpRequest, HttpResponse } from "@smithy/protocol-http";
import { connect as tlsConnect, rootCertificates, type TLSSocket } from "node:tls";
import type { Duplex } from "node:stream";
import { Client, request } from "undici";

export type CreateTlsStreamRequestHandlerParameters = {
  /** Opens one byte stream to the KMS endpoint (through the parent's vsock-proxy). Called per connection. */
  readonly connect: () => Promise<Duplex>;
  /** The only host this handler talks to and the TLS server name (SNI and certificate check), e.g. `kms.us-east-1.amazonaws.com`. */
  readonly servername: string;
  /** Extra trusted roots (PEM), added to the system roots; for the local stack's CA. */
  readonly caCertificates?: readonly string[];
  /** Give up a request after this long without response headers or body data. @default 30000 */
  readonly requestTimeoutMs?: number;
};

export type TlsStreamRequestHandler = HttpHandler<Record<string, never>> & { destroy(): void };

/**
 * An `@aws-sdk/*` request handler whose only way out is TLS terminated here, over a byte stream from
 * `connect()` (DESIGN §6): in the enclave a vsock stream to the parent's vsock-proxy, locally a TCP stream to
 * the vsock-proxy stand-in. The parent only ever relays TLS records, so it can neither read nor forge KMS
 * answers. There is no plain-HTTP path: every connection is `tls.connect({ socket, servername, ca })` with
 * certificate and host-name verification on, and requests for any other host are refused.
 *
 * Requests go through undici's `request()` on a `Client` (keep-alive, one request at a time per connection)
 * whose `connect` option hands it the TLS socket; the response body is undici's Node `Readable`, which is what
 * the SDK's stream collector expects. Works under Node and Deno 2.9 (`node:tls` over a `Duplex`).
 *
 * @example
 * ```ts
 * const handler = createTlsStreamRequestHandler({ connect, servername: "kms.us-east-1.amazonaws.com" });
 * const kms = new KMSClient({ region: "us-east-1", requestHandler: handler, credentials });
 * ```
 */
export function createTlsStreamRequestHandler(parameters: CreateTlsStreamRequestHandlerParameters): TlsStreamRequestHandler {
  const { connect, servername } = parameters;
  if (typeof connect !== "function") throw new TypeError("connect must be a function returning a Duplex stream");
  if (typeof servername !== "string" || !/^[a-z0-9.-]+$/.test(servername)) throw new TypeError(`Invalid servername: ${servername}`);
  const timeout = parameters.requestTimeoutMs ?? 30_000;
  const ca = parameters.caCertificates && parameters.caCertificates.length > 0
    ? [...rootCertificates, ...parameters.caCertificates]
    : undefined;

  const client = new Client(`https://${servername}`, {
    pipelining: 1,
    headersTimeout: timeout,
    bodyTimeout: timeout,
    keepAliveTimeout: 10_000,
    connect(_options, callback) {
      let socket: TLSSocket | undefined;
      connect().then(
        (stream) => {
          socket = tlsConnect({
            socket: stream,
            servername,
            ...(ca ? { ca } : {}),
            rejectUnauthorized: true,
            minVersion: "TLSv1.2",
            ALPNProtocols: ["http/1.1"],
          });
          const onError = (error: Error) => {
            socket?.destroy();
            stream.destroy();
            callback(error, null);
          };
          socket.once("error", onError);
          socket.once("secureConnect", () => {
            socket!.removeListener("error", onError);
            callback(null, socket!);
          });
          stream.once("close", () => socket?.destroy());
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
      );
    },
  });

  return {
    metadata: { handlerProtocol: "http/1.1" },
    async handle(httpRequest: HttpRequest, options: { abortSignal?: unknown } = {}) {
      if (httpRequest.hostname !== servername || (httpRequest.protocol !== "https:" && httpRequest.protocol !== "https")) {
        throw new Error(`Refusing to send a KMS request to ${httpRequest.protocol}//${httpRequest.hostname}: only https://${servername} is allowed`);
      }
      if (httpRequest.port !== undefined && httpRequest.port !== 443) {
        throw new Error(`Refusing to send a KMS request to port ${httpRequest.port}`);
      }
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(httpRequest.query ?? {})) {
        for (const v of Array.isArray(value) ? value : [value]) if (v !== null && v !== undefined) query.append(key, v);
      }
      const path = `${httpRequest.path}${query.size > 0 ? `?${query}` : ""}`;
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(httpRequest.headers)) {
        if (name.toLowerCase() !== "content-length") headers[name] = value;
      }
      const response = await request(`https://${servername}${path}`, {
        dispatcher: client,
        method: httpRequest.method as "POST",
        headers,
        body: httpRequest.body as string | Uint8Array | undefined ?? null,
        ...(options.abortSignal ? { signal: options.abortSignal as AbortSignal } : {}),
      });
      const responseHeaders: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      return {
        response: new HttpResponse({ statusCode: response.statusCode, headers: responseHeaders, body: response.body }),
      };
    },
    updateHttpClientConfig() {
      // Nothing is configurable after creation: the TLS path is fixed.
    },
    httpHandlerConfigs() {
      return {};
    },
    destroy() {
      void client.destroy().catch(() => {});
    },
  };
}
