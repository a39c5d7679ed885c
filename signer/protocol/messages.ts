/**
 * Message shapes of the enclave protocol (DESIGN §4) and the method contract between rooms. Every field that
 * carries an Ethereum quantity or byte string travels as a 0x-prefixed hex string, exactly as in JSON-RPC, so
 * the proxy can forward what clients send and the signer validates one format.
 */
import type { ErrorCode } from "./error_codes.ts";

export type Hex = `0x${string}`;

export type Request = { id: number; method: string; params?: unknown };
export type ErrorObject = { code: ErrorCode | string; message: string; data?: unknown };
export type SuccessResponse = { id: number; result: unknown };
export type ErrorResponse = { id: number | null; error: ErrorObject };
export type Response = SuccessResponse | ErrorResponse;

/** A transaction as JSON-RPC carries it: hex quantities, `type` "0x0"…"0x4". All fields final (no fill-in). */
export type TransactionParams = {
  type?: Hex;
  chainId?: Hex;
  nonce?: Hex;
  gas?: Hex;
  gasPrice?: Hex;
  maxFeePerGas?: Hex;
  maxPriorityFeePerGas?: Hex;
  maxFeePerBlobGas?: Hex;
  to?: Hex | null;
  value?: Hex;
  data?: Hex;
  input?: Hex;
  accessList?: { address: Hex; storageKeys: Hex[] }[];
  blobVersionedHashes?: Hex[];
  authorizationList?: AuthorizationParams[];
};

export type AuthorizationParams = {
  chainId: Hex;
  address: Hex;
  nonce: Hex;
  yParity: Hex;
  r: Hex;
  s: Hex;
};

/** A key's governance on the wire: `threshold` of `admins` (lowercase) approve its policy (signer/policy/). */
export type GovernanceParams = { admins: Hex[]; threshold: number };

/** Which policy governs an account: none at all (unrestricted), governed but none in force yet, or one. */
export type AccountPolicy =
  | { kind: "unrestricted" }
  | { kind: "none"; governance: GovernanceParams }
  | { kind: "policy"; governance: GovernanceParams; digest: Hex; sequence: number; notAfter: string };

export type AccountInfo = { address: Hex; label?: string; policy?: AccountPolicy };

/** One limit's use of its rolling window: `value` in wei (decimal), `count` requests. */
export type WindowUsageParams = { id: string; window: number; value: string; count: number };

/**
 * Fleet windows (issue 13, docs/fleet-state.md): the account's window record as the table holds it (CBOR + 32-byte
 * HMAC-SHA-256 tag, opaque to the caller), or `null` when the table has none. Sent with sign.* and policy.check.
 */
export type WindowStateParams = { record: Uint8Array | null };

/**
 * Fleet windows: the new window record a signed request produced (only in fleet mode, for an account whose policy
 * in force has limits). Store it with a conditional write (`version` = the presented one, or the item absent) and
 * release the signature only once that write succeeded. `expiresAt`: epoch seconds when all its entries have expired (TTL).
 */
export type WindowStateResult = { version: number; record: Uint8Array; expiresAt: number };

/** A signing request as `policy.check` takes it: one of the sign.* methods and its params; `window` as with sign.* (fleet mode). */
export type PolicyCheckParams = {
  method: "sign.transaction" | "sign.message" | "sign.typedData" | "sign.authorization";
  params: Record<string, unknown>;
  window?: WindowStateParams;
};

/** One rule of the signer's policy: a stable id (carried by its refusals as `data.rule`), the method, what it refuses. */
export type PolicyRule = { id: "typed-data-chain" | "authorization-any-chain"; method: SignerMethod; description: string };

/** The contract of every method: its params and its result. */
export type SignerMethods = {
  describe: {
    params: Record<string, never> | undefined;
    /**
     * `curve`: the secp256k1 backend signing (native libsecp256k1 or the WebAssembly build), where the signer says.
     * `windows`: where the policy limits' windows live (`--windows`): this signer's memory, or the fleet's table.
     */
    result: {
      name: string;
      version: string;
      nsm: "device" | "simulated" | "none";
      accounts: number;
      workers: number;
      curve?: "native" | "wasm";
      windows?: "memory" | "fleet";
    };
  };
  /** NSM attestation with the signer's RSA public key and `user_data` = accountsDigest(accounts). */
  attest: { params: { nonce?: Uint8Array } | undefined; result: { document: Uint8Array } };
  "credentials.put": {
    params: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: string; region?: string };
    result: { region: string; expiration: string | null };
  };
  /**
   * With `kmsKeyId` the key is encrypted by KMS and `ciphertext` (base64) is returned; without, it is memory-only.
   * `governance` (admins, threshold) is sealed into the ciphertext's EncryptionContext; absent: unrestricted.
   */
  "keys.generate": {
    params: { label?: string; kmsKeyId?: string; governance?: GovernanceParams } | undefined;
    result: { address: Hex; ciphertext?: string; governance?: GovernanceParams };
  };
  /** `sealed`: the 32-byte key encrypted with RSA-OAEP (SHA-256) to the attested public key. */
  "keys.import": {
    params: { sealed: Uint8Array; kmsKeyId: string; label?: string; governance?: GovernanceParams };
    result: { address: Hex; ciphertext?: string; governance?: GovernanceParams };
  };
  /**
   * KMS Decrypt with Recipient of a record's ciphertext (base64); the address must match the key. The record's
   * `governance` is part of the EncryptionContext KMS checks, so a record whose governance was changed does not load.
   */
  "keys.load": { params: { address: Hex; ciphertext: string; label?: string; governance?: GovernanceParams }; result: { address: Hex } };
  "keys.unload": { params: { address: Hex }; result: { removed: boolean } };
  "keys.list": { params: Record<string, never> | undefined; result: AccountInfo[] };
  /** Every sign.* takes an optional `window` (fleet mode) and answers with the new `window` record when one was used. */
  "sign.transaction": {
    params: { address: Hex; transaction: TransactionParams; window?: WindowStateParams };
    result: { raw: Hex; hash: Hex; window?: WindowStateResult };
  };
  /** EIP-191 personal message (`personal_sign`, `eth_sign`); `signature` is 65 bytes r ‖ s ‖ v. */
  "sign.message": { params: { address: Hex; message: Uint8Array; window?: WindowStateParams }; result: { signature: Hex; window?: WindowStateResult } };
  /** EIP-712 JSON `{ types, primaryType, domain, message }`; refused when domain.chainId ≠ `chainId` (the node's chain). */
  "sign.typedData": {
    params: { address: Hex; typedData: Record<string, unknown>; chainId?: Hex; window?: WindowStateParams };
    result: { signature: Hex; window?: WindowStateResult };
  };
  /** EIP-7702 authorization; the result is one entry of a transaction's `authorizationList` (plus `window`, fleet mode). */
  "sign.authorization": {
    params: { address: Hex; authorization: { chainId: Hex; address: Hex; nonce: Hex }; window?: WindowStateParams };
    result: AuthorizationParams & { window?: WindowStateResult };
  };
  /**
   * What the signer refuses although well-formed: its built-in `rules`, and each account's policy (or only
   * `address`'s): the document in force (JSON text), its digest and sequence, and its windows' use.
   */
  "policy.describe": {
    params: { address?: Hex } | undefined;
    result: {
      rules: PolicyRule[];
      accounts: { address: Hex; policy: AccountPolicy; document?: string; windows?: WindowUsageParams[] }[];
    };
  };
  /**
   * Puts a policy document (format v1, JSON text) in force for its account, if `approvals` (EIP-712
   * PolicyApproval signatures) come from `threshold` distinct admins and its sequence is above the one in force.
   */
  "policy.apply": { params: { document: string; approvals: Hex[] }; result: { address: Hex; digest: Hex; sequence: number } };
  /** Evaluates a signing request against the account's policy without signing or counting it (a dry run). */
  "policy.check": { params: PolicyCheckParams; result: { allowed: boolean; rule?: string; reason?: string } };
};

export type SignerMethod = keyof SignerMethods;
