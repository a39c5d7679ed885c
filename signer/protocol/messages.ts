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

export type AccountInfo = { address: Hex; label?: string };

/** One rule of the signer's policy: a stable id (carried by its refusals as `data.rule`), the method, what it refuses. */
export type PolicyRule = { id: "typed-data-chain" | "authorization-any-chain"; method: SignerMethod; description: string };

/** The contract of every method: its params and its result. */
export type SignerMethods = {
  describe: {
    params: Record<string, never> | undefined;
    result: { name: string; version: string; nsm: "device" | "simulated" | "none"; accounts: number; workers: number };
  };
  /** NSM attestation with the signer's RSA public key and `user_data` = accountsDigest(accounts). */
  attest: { params: { nonce?: Uint8Array } | undefined; result: { document: Uint8Array } };
  "credentials.put": {
    params: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: string; region?: string };
    result: { region: string; expiration: string | null };
  };
  /** With `kmsKeyId` the key is encrypted by KMS and `ciphertext` (base64) is returned; without, it is memory-only. */
  "keys.generate": { params: { label?: string; kmsKeyId?: string } | undefined; result: { address: Hex; ciphertext?: string } };
  /** `sealed`: the 32-byte key encrypted with RSA-OAEP (SHA-256) to the attested public key. */
  "keys.import": { params: { sealed: Uint8Array; kmsKeyId: string; label?: string }; result: { address: Hex; ciphertext?: string } };
  /** KMS Decrypt with Recipient of a record's ciphertext (base64); the address must match the key. */
  "keys.load": { params: { address: Hex; ciphertext: string; label?: string }; result: { address: Hex } };
  "keys.unload": { params: { address: Hex }; result: { removed: boolean } };
  "keys.list": { params: Record<string, never> | undefined; result: AccountInfo[] };
  "sign.transaction": { params: { address: Hex; transaction: TransactionParams }; result: { raw: Hex; hash: Hex } };
  /** EIP-191 personal message (`personal_sign`, `eth_sign`); `signature` is 65 bytes r ‖ s ‖ v. */
  "sign.message": { params: { address: Hex; message: Uint8Array }; result: { signature: Hex } };
  /** EIP-712 JSON `{ types, primaryType, domain, message }`; refused when domain.chainId ≠ `chainId` (the node's chain). */
  "sign.typedData": { params: { address: Hex; typedData: Record<string, unknown>; chainId?: Hex }; result: { signature: Hex } };
  /** EIP-7702 authorization; the result is one entry of a transaction's `authorizationList`. */
  "sign.authorization": { params: { address: Hex; authorization: { chainId: Hex; address: Hex; nonce: Hex } }; result: AuthorizationParams };
  /** What the signer refuses although well-formed (its signing policy). */
  "policy.describe": { params: Record<string, never> | undefined; result: { rules: PolicyRule[] } };
};

export type SignerMethod = keyof SignerMethods;
