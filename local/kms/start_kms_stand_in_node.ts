import { AWS_NITRO_ROOT_G1_PEM } from "../../signer/mod.ts";
import { type AwsJsonStandIn, type AwsJsonStandInOptions, startAwsJsonStandIn } from "../aws/start_aws_json_stand_in_node.ts";
import { createKmsOperations } from "./create_kms_operations.ts";
import type { KmsState } from "./kms_state.ts";

export type StartKmsStandInOptions = AwsJsonStandInOptions & {
  /**
   * Roots (PEM or DER) attestation documents must chain to — for the local stack, the simulated PKI's root.
   * @default [the AWS Nitro Enclaves root G1] (then only real documents pass, as with real KMS)
   */
  readonly attestationRoots?: readonly (string | Uint8Array)[];
  /** @default 300000 (KMS refuses attestation documents older than 5 minutes) */
  readonly maxAttestationAgeMs?: number;
};

/** The running KMS stand-in; its server certificate also names `kms.<region>.amazonaws.com`. */
export type KmsStandIn = AwsJsonStandIn;

/**
 * Starts the local KMS stand-in: AWS JSON 1.1 (`X-Amz-Target: TrentService.<Operation>`) over HTTPS on
 * loopback, SigV4 checked against `credentials` (each mapped to an IAM principal), keys persisted in
 * `stateDir/kms/keys.json`, key policies, attestation documents and Recipient answers enforced as described in
 * `createKmsOperations`. The real `@aws-sdk/client-kms` talks to it unchanged; the signer reaches it through the
 * vsock-proxy stand-in with TLS for `kms.<region>.amazonaws.com`.
 *
 * @example
 * ```ts
 * const kms = await startKmsStandIn({ stateDir: ".local", attestationRoots: [pki.root.certificatePem] });
 * // … kms.url, kms.caPem …
 * await kms.close();
 * ```
 */
export function startKmsStandIn(options: StartKmsStandInOptions): Promise<KmsStandIn> {
  const { attestationRoots, maxAttestationAgeMs, ...common } = options;
  return startAwsJsonStandIn({
    ...common,
    service: "kms",
    targetPrefix: "TrentService",
    internalErrorType: "KMSInternalException",
    stateFile: ["kms", "keys.json"],
    initialState: (): KmsState => ({ format: 1, keys: [] }),
    operations: ({ store, region, accountId }) =>
      createKmsOperations({
        store,
        region,
        accountId,
        attestationRoots: attestationRoots ?? [AWS_NITRO_ROOT_G1_PEM],
        ...(maxAttestationAgeMs === undefined ? {} : { maxAttestationAgeMs }),
      }),
  });
}
