import { type GovernanceParams, isHexAddress, keyEncryptionContext, parseGovernance } from "../../signer/mod.ts";

/**
 * One account's record in Secrets Manager (DESIGN §6): everything needed to load the key into a signer,
 * none of it secret without the attested enclave (the ciphertext opens only through KMS Recipient).
 */
export type KeyRecord = {
  version: 1;
  address: `0x${string}`;
  kmsKeyId: string;
  /** base64 of the KMS ciphertext blob. */
  ciphertext: string;
  encryptionContext: Record<string, string>;
  createdAt: string;
  label?: string;
  /**
   * The admins and threshold sealed with the key (part of the EncryptionContext KMS authenticates, so an edited
   * value makes the signer refuse the record); absent: an unrestricted key.
   */
  governance?: GovernanceParams;
};

/** The default name prefix of key secrets; one secret per account: `<prefix><address>`. */
export const DEFAULT_SECRET_PREFIX = "nitro-signer/keys/";

/** Where an account's approved policy document is stored, beside its key record: `<prefix>policy/<address>`. */
export const POLICY_SECRET_FOLDER = "policy/";

/**
 * Builds a record for a key the signer just encrypted.
 *
 * @example
 * ```ts
 * const record = createKeyRecord({ address, ciphertext, kmsKeyId });
 * ```
 */
export function createKeyRecord(input: {
  address: `0x${string}`;
  ciphertext: string;
  kmsKeyId: string;
  label?: string;
  governance?: GovernanceParams;
  now?: Date;
}): KeyRecord {
  const governance = input.governance === undefined ? undefined : parseGovernance(input.governance);
  return {
    version: 1,
    address: input.address,
    kmsKeyId: input.kmsKeyId,
    ciphertext: input.ciphertext,
    encryptionContext: keyEncryptionContext(input.address, governance),
    createdAt: (input.now ?? new Date()).toISOString(),
    ...(input.label === undefined ? {} : { label: input.label }),
    ...(governance === undefined ? {} : { governance }),
  };
}

/** Parses and checks a record read from Secrets Manager; throws TypeError naming the bad field. */
export function parseKeyRecord(text: string): KeyRecord {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError("Cannot parse key record: not JSON");
  }
  const check = (field: string, ok: boolean) => {
    if (!ok) throw new TypeError(`Cannot parse key record: bad ${field}`);
  };
  check("record", typeof value === "object" && value !== null && !Array.isArray(value));
  check("version", value.version === 1);
  check("address", isHexAddress(value.address));
  check("kmsKeyId", typeof value.kmsKeyId === "string" && value.kmsKeyId.length > 0);
  check("ciphertext", typeof value.ciphertext === "string" && /^[A-Za-z0-9+/]+={0,2}$/.test(value.ciphertext));
  check("encryptionContext", typeof value.encryptionContext === "object" && value.encryptionContext !== null);
  check("createdAt", typeof value.createdAt === "string");
  check("label", value.label === undefined || typeof value.label === "string");
  if (value.governance !== undefined) {
    try {
      value.governance = parseGovernance(value.governance, "governance");
    } catch (error) {
      throw new TypeError(`Cannot parse key record: bad ${(error as { field?: string }).field ?? "governance"}`);
    }
  }
  return value as KeyRecord;
}

/** The secret name of an account's record. Policy documents live beside them under `<prefix>policy/`. */
export function keySecretName(prefix: string, address: string): string {
  return `${prefix}${address}`;
}
