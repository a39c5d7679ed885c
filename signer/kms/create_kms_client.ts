import { KMSClient } from "@aws-sdk/client-kms";
import type { Duplex } from "node:stream";
import { createTlsStreamRequestHandler } from "./create_tls_stream_request_handler.ts";
import type { KmsClient } from "./kms_client.ts";

export type { KmsClient } from "./kms_client.ts";

/** AWS credentials as the SDK takes them. */
export type KmsCredentials = {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
};

export type CreateKmsClientParameters = {
  /** e.g. `us-east-1`; the TLS server name is `kms.<region>.amazonaws.com`. */
  readonly region: string;
  /** Fixed credentials; or use `credentialsProvider`. */
  readonly credentials?: KmsCredentials;
  /** Called before each request (e.g. the signer's credentials store, refreshed by `credentials.put`). */
  readonly credentialsProvider?: () => Promise<KmsCredentials>;
  /** Opens a byte stream to the vsock-proxy (`kmsConnectDeno` / `kmsConnectNode`). */
  readonly connect: () => Promise<Duplex>;
  /** Extra trusted root certificates (PEM) for the local CA. @default system roots only */
  readonly caCertificates?: readonly string[];
  /** @default 30000 */
  readonly requestTimeoutMs?: number;
  /** SDK attempts per call (retries on throttling and 5xx). @default 3 */
  readonly maxAttempts?: number;
};

/**
 * Creates the signer's KMS client: the real `@aws-sdk/client-kms` whose only transport is TLS to
 * `kms.<region>.amazonaws.com`, terminated inside the signer, over streams from `connect` (DESIGN §6). There is
 * deliberately no `endpoint` option: the request handler refuses any other host, and never speaks plain HTTP.
 * Close it with `client.destroy()`.
 *
 * @example
 * ```ts
 * const kms = createKmsClient({
 *   region: "us-east-1",
 *   credentialsProvider: async () => credentials.get(),
 *   connect: kmsConnectDeno({ transport: "vsock", cid: 3, port: 8000 }),
 * });
 * const ciphertext = await kmsEncrypt(kms, { keyId, plaintext, encryptionContext });
 * ```
 */
export function createKmsClient(parameters: CreateKmsClientParameters): KmsClient {
  const { region } = parameters;
  if (typeof region !== "string" || !/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) throw new TypeError(`Invalid AWS region: ${String(region)}`);
  if ((parameters.credentials === undefined) === (parameters.credentialsProvider === undefined)) {
    throw new TypeError("Give exactly one of credentials, credentialsProvider");
  }
  const provider = parameters.credentialsProvider ?? (() => Promise.resolve(parameters.credentials!));
  const servername = `kms.${region}.amazonaws.com`;
  return new KMSClient({
    region,
    endpoint: `https://${servername}`,
    useFipsEndpoint: false,
    useDualstackEndpoint: false,
    maxAttempts: parameters.maxAttempts ?? 3,
    credentials: async () => {
      const c = await provider();
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken === undefined ? {} : { sessionToken: c.sessionToken }),
        ...(c.expiration === undefined ? {} : { expiration: c.expiration }),
      };
    },
    requestHandler: createTlsStreamRequestHandler({
      connect: parameters.connect,
      servername,
      ...(parameters.caCertificates ? { caCertificates: parameters.caCertificates } : {}),
      ...(parameters.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: parameters.requestTimeoutMs }),
    }),
  });
}
