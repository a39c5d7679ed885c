import { getAddress } from "viem";
import { isHexAddress } from "../../signer/mod.ts";
import { POLICY_SECRET_FOLDER } from "../keys/key_record.ts";

/**
 * An account's approved policy as the host-agent stores it in Secrets Manager, beside the key record (issue 12):
 * the document's JSON text exactly as the admins approved it and the signer accepted it, and the approvals
 * (EIP-712 PolicyApproval signatures). Nothing in it is secret or trusted: the signer checks it on every load.
 */
export type PolicyRecord = { version: 1; document: string; approvals: `0x${string}`[] };

/** The most bytes of a stored policy record (Secrets Manager allows 64 KiB per secret value). */
export const MAX_POLICY_RECORD_BYTES = 64 * 1024;

/**
 * The secret name of an account's policy: `<prefix>policy/<checksummed address>`.
 *
 * @example
 * ```ts
 * policySecretName("nitro-signer/keys/", "0x15d3…"); // "nitro-signer/keys/policy/0x15d34AAf…"
 * ```
 */
export function policySecretName(prefix: string, address: string): string {
  if (!isHexAddress(address)) throw new TypeError(`Cannot name policy secret: ${address} is not an address`);
  return `${prefix}${POLICY_SECRET_FOLDER}${getAddress(address)}`;
}

/**
 * Parses and checks a stored policy record; throws TypeError naming the bad field. The document itself is only
 * checked to be text: the signer parses it (and refuses it whole) when it is applied.
 *
 * @example
 * ```ts
 * const { document, approvals } = parsePolicyRecord(secretString);
 * ```
 */
export function parsePolicyRecord(text: string): PolicyRecord {
  if (text.length > MAX_POLICY_RECORD_BYTES) throw new TypeError("Cannot parse policy record: larger than 64 KiB");
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError("Cannot parse policy record: not JSON");
  }
  const check = (field: string, ok: boolean) => {
    if (!ok) throw new TypeError(`Cannot parse policy record: bad ${field}`);
  };
  check("record", typeof value === "object" && value !== null && !Array.isArray(value));
  check("version", value.version === 1);
  check("document", typeof value.document === "string" && value.document.length > 0);
  check("approvals", Array.isArray(value.approvals) && value.approvals.every((a) => typeof a === "string" && /^0x[0-9a-fA-F]{130}$/.test(a)));
  const unknown = Object.keys(value).find((k) => !["version", "document", "approvals"].includes(k));
  check(unknown ?? "", unknown === undefined);
  return { version: 1, document: value.document as string, approvals: value.approvals as `0x${string}`[] };
}

/** The account a policy document names (`account`), read without judging the rest; throws TypeError. */
export function policyDocumentAccount(document: string): `0x${string}` {
  let value: unknown;
  try {
    value = JSON.parse(document);
  } catch {
    throw new TypeError("Cannot read policy document: not JSON");
  }
  const account = (value as { account?: unknown } | null)?.account;
  if (!isHexAddress(account)) throw new TypeError("Cannot read policy document: bad account");
  return getAddress(account);
}
