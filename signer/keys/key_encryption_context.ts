import type { GovernanceParams } from "../protocol/messages.ts";
import { isHexAddress } from "../protocol/params/parse_address.ts";
import { formatGovernance } from "./parse_governance.ts";

/** The KMS EncryptionContext app value; the key policy may require it (deploy/ does). */
export const ENCRYPTION_CONTEXT_APP = "nitro-eth-signer";

/**
 * The EncryptionContext every key ciphertext is bound to (DESIGN §6, §10): KMS authenticates it (AWS KMS Developer
 * Guide, "Encryption context": it is additional authenticated data) and refuses to decrypt a ciphertext under any
 * other, so a record can neither be swapped onto another address nor have its governance edited. A governed key
 * adds `governance` = `<threshold>:<admin>,<admin>…` (admins lowercase, sorted, unique); an unrestricted key has
 * no such entry, so records made before governance existed still open.
 *
 * @example
 * ```ts
 * await kms.encrypt({ keyId, plaintext, encryptionContext: keyEncryptionContext(address, { admins, threshold: 2 }) });
 * ```
 */
export function keyEncryptionContext(address: string, governance?: GovernanceParams): { app: string; address: string; governance?: string } {
  if (!isHexAddress(address)) throw new TypeError(`Cannot build encryption context: ${address} is not an address`);
  return governance === undefined
    ? { app: ENCRYPTION_CONTEXT_APP, address }
    : { app: ENCRYPTION_CONTEXT_APP, address, governance: formatGovernance(governance) };
}
