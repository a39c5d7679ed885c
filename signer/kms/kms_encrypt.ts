import { EncryptCommand } from "@aws-sdk/client-kms";
import type { KmsClient } from "./kms_client.ts";
import { KmsError } from "./kms_errors.ts";

export type KmsEncryptParameters = {
  /** Key id, key ARN, alias name or alias ARN. */
  readonly keyId: string;
  /** 1..4096 bytes (AWS KMS API Reference, Encrypt). */
  readonly plaintext: Uint8Array;
  /** Bound to the ciphertext as additional authenticated data; the same map is needed to decrypt. */
  readonly encryptionContext: Readonly<Record<string, string>>;
};

export type KmsEncryptErrorType = KmsError | TypeError | RangeError;

/**
 * KMS `Encrypt` under `keyId` with `encryptionContext` (for key ciphertexts: `{ app: "nitro-eth-signer",
 * address }`). Returns the ciphertext blob. Encrypt needs no Recipient: the plaintext is already in the
 * enclave and the TLS session to KMS ends here.
 *
 * @example
 * ```ts
 * const ciphertext = await kmsEncrypt(kms, { keyId, plaintext: privateKey,
 *   encryptionContext: { app: "nitro-eth-signer", address } });
 * ```
 */
export async function kmsEncrypt(client: KmsClient, parameters: KmsEncryptParameters): Promise<Uint8Array> {
  checkKeyId(parameters.keyId);
  if (!(parameters.plaintext instanceof Uint8Array)) throw new TypeError("plaintext must be a Uint8Array");
  if (parameters.plaintext.length < 1 || parameters.plaintext.length > 4096) {
    throw new RangeError(`plaintext length ${parameters.plaintext.length} is outside 1..4096`);
  }
  const encryptionContext = checkEncryptionContext(parameters.encryptionContext);
  let output;
  try {
    output = await client.send(
      new EncryptCommand({ KeyId: parameters.keyId, Plaintext: parameters.plaintext, EncryptionContext: encryptionContext }),
    );
  } catch (error) {
    throw KmsError.from("Encrypt", error);
  }
  if (!(output.CiphertextBlob instanceof Uint8Array) || output.CiphertextBlob.length === 0) {
    throw new KmsError("Encrypt", undefined, { details: "response has no CiphertextBlob" });
  }
  return output.CiphertextBlob;
}

/** @internal shared by the kms_* operations */
export function checkKeyId(keyId: unknown): asserts keyId is string {
  if (typeof keyId !== "string" || keyId.length < 1 || keyId.length > 2048) throw new TypeError("keyId must be a string of 1..2048 characters");
}

/** @internal shared by the kms_* operations */
export function checkEncryptionContext(context: unknown): Record<string, string> {
  if (typeof context !== "object" || context === null || Array.isArray(context)) throw new TypeError("encryptionContext must be a map of strings");
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (typeof value !== "string") throw new TypeError(`encryptionContext.${key} must be a string`);
    out[key] = value;
  }
  return out;
}
