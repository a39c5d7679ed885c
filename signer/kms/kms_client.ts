import type { KMSClient } from "@aws-sdk/client-kms";

/**
 * The signer's KMS client: the real `@aws-sdk/client-kms` client. Only its type lives here, apart from
 * `createKmsClient`, so the KMS operations (`kmsEncrypt`, `kmsDecryptForRecipient`, …) type-check as web-standard
 * code: `createKmsClient` builds the TLS-over-stream transport from `node:tls` and undici (DESIGN §6), which
 * would bring Node's globals into every file that imported it.
 *
 * @example
 * ```ts
 * async function encryptWith(client: KmsClient) {
 *   return kmsEncrypt(client, { keyId, plaintext, encryptionContext });
 * }
 * ```
 */
export type KmsClient = KMSClient;
