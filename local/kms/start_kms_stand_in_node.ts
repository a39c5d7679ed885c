import { join, resolve } from "node:path";
import { AWS_NITRO_ROOT_G1_PEM } from "../../signer/attestation/aws_nitro_root_g1.ts";
import { createAwsJsonHandler } from "../aws/create_aws_json_handler.ts";
import { LOCAL_ACCOUNT_ID, type LocalCredential } from "../aws/local_credential.ts";
import { openJsonFileStore } from "../aws/open_json_file_store_node.ts";
import { resolveLocalCredentials } from "../aws/resolve_local_credentials_node.ts";
import { serveHttps } from "../aws/serve_https_node.ts";
import { ensureLocalTls } from "../tls/ensure_local_tls_node.ts";
import { createKmsOperations, type KmsState } from "./create_kms_operations.ts";

export type StartKmsStandInOptions = {
  /** State directory; keys persist in `stateDir/kms/keys.json`, TLS material in `stateDir/ca/`. */
  readonly stateDir: string;
  /** Accepted credentials. @default the host and admin keys of `stateDir/credentials.json` */
  readonly credentials?: readonly LocalCredential[] | (() => readonly LocalCredential[]);
  /**
   * Roots (PEM or DER) attestation documents must chain to — for the local stack, the simulated PKI's root.
   * @default [the AWS Nitro Enclaves root G1] (then only real documents pass, as with real KMS)
   */
  readonly attestationRoots?: readonly (string | Uint8Array)[];
  /** @default 300000 (KMS refuses attestation documents older than 5 minutes) */
  readonly maxAttestationAgeMs?: number;
  /** @default "us-east-1" */
  readonly region?: string;
  /** Loopback address. @default "127.0.0.1" */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** Current time in ms (SigV4 skew, attestation age). @default Date.now */
  readonly clock?: () => number;
};

export type KmsStandIn = {
  /** `https://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly region: string;
  /** The local CA that signed the server certificate (for `127.0.0.1` and `kms.<region>.amazonaws.com`). */
  readonly caPem: string;
  close(): Promise<void>;
};

/**
 * Starts the local KMS stand-in: AWS JSON 1.1 (`X-Amz-Target: TrentService.<Operation>`) over HTTPS on
 * loopback, SigV4 checked against `credentials` (each mapped to an IAM principal), key policies, attestation
 * documents and Recipient answers enforced as described in `createKmsOperations`. The real
 * `@aws-sdk/client-kms` talks to it unchanged; the signer reaches it through the vsock-proxy stand-in with TLS
 * for `kms.<region>.amazonaws.com`.
 *
 * @example
 * ```ts
 * const kms = await startKmsStandIn({ stateDir: ".local", attestationRoots: [pki.root.certificatePem] });
 * // … kms.url, kms.caPem …
 * await kms.close();
 * ```
 */
export async function startKmsStandIn(options: StartKmsStandInOptions): Promise<KmsStandIn> {
  const stateDir = resolve(options.stateDir);
  const region = options.region ?? "us-east-1";
  const credentials = await resolveLocalCredentials(stateDir, options.credentials);
  const tls = await ensureLocalTls(stateDir, { regions: [region] });
  const store = await openJsonFileStore<KmsState>(join(stateDir, "kms", "keys.json"), () => ({ format: 1, keys: [] }));
  const handler = createAwsJsonHandler({
    service: "kms",
    targetPrefix: "TrentService",
    region,
    credentials,
    internalErrorType: "KMSInternalException",
    operations: createKmsOperations({
      store,
      region,
      accountId: LOCAL_ACCOUNT_ID,
      attestationRoots: options.attestationRoots ?? [AWS_NITRO_ROOT_G1_PEM],
      ...(options.maxAttestationAgeMs === undefined ? {} : { maxAttestationAgeMs: options.maxAttestationAgeMs }),
    }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const server = await serveHttps(handler, {
    tls,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return { url: server.url, port: server.port, region, caPem: tls.caPem, close: () => server.close() };
}
