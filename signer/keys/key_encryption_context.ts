import { isHexAddress } from "../protocol/params/parse_address.ts";

/** The KMS EncryptionContext app value; the key policy may require it (deploy/ does). */
export const ENCRYPTION_CONTEXT_APP = "nitro-eth-signer";

/**
 * The EncryptionContext every key ciphertext is bound to (DESIGN §6): KMS refuses to decrypt a ciphertext
 * under any other context, so a record cannot be swapped onto another address.
 *
 * @example
 * ```ts
 * await kms.encrypt({ keyId, plaintext, encryptionContext: keyEncryptionContext(address) });
 * ```
 */
export function keyEncryptionContext(address: string): { app: string; address: string } {
  if (!isHexAddress(address)) throw new TypeError(`Cannot build encryption context: ${address} is not an address`);
  return { app: ENCRYPTION_CONTEXT_APP, address };
}
