import type { TransactionSerializable, TypedDataDefinition } from "viem";
import type { Hex } from "../protocol/messages.ts";

/**
 * Who may change a key's policy (DESIGN §10): `threshold` distinct `admins` (Ethereum accounts, lowercase, sorted,
 * unique) must approve a policy document. Sealed with the key (the KMS EncryptionContext of its ciphertext), so the
 * parent cannot change it. A key without governance is unrestricted.
 */
export type Governance = { readonly admins: readonly Hex[]; readonly threshold: number };

/** What a rule applies to: `sign.transaction`, `sign.message`, `sign.typedData`, `sign.authorization`. */
export type PolicyAction = "transaction" | "message" | "typedData" | "authorization";

/** One rule of a policy document (format v1), parsed: amounts as bigint, addresses lowercase. */
export type PolicyDocumentRule = {
  readonly id: string;
  readonly effect: "allow" | "deny";
  readonly action: PolicyAction;
  /** transaction, authorization; typedData uses `domain.chainId`. */
  readonly chainIds?: readonly number[];
  /** transaction: recipients; authorization: delegates. */
  readonly to?: readonly Hex[];
  /** transaction: whether contract creation (no `to`) matches. */
  readonly create?: boolean;
  readonly maxValue?: bigint;
  /** transaction: 4-byte selectors of the calldata; "0x" = no calldata. */
  readonly selectors?: readonly Hex[];
  readonly erc20?: {
    readonly maxAmount?: bigint;
    readonly recipients?: readonly Hex[];
    readonly allowUnlimitedApproval?: boolean;
  };
  readonly maxFeePerGas?: bigint;
  readonly maxGas?: bigint;
  /** transaction: cap on gas × (maxFeePerGas or gasPrice) (+ blob gas × maxFeePerBlobGas), in wei. */
  readonly maxFee?: bigint;
  /** transaction: whether blob (type 0x3) transactions match. @default false */
  readonly blobs?: boolean;
  /** typedData */
  readonly domain?: { readonly chainId?: number; readonly verifyingContract?: Hex; readonly name?: string };
  readonly primaryTypes?: readonly string[];
  /** message: only messages starting with these bytes (given as text in the document, compared as UTF-8). */
  readonly prefix?: string;
};

/** A rolling window over the account's signed requests. */
export type PolicyLimit = {
  readonly id: string;
  /** Seconds. */
  readonly window: number;
  /** Sum of native value (wei) of signed transactions. */
  readonly maxValue?: bigint;
  /** Number of signed requests of any action. */
  readonly maxCount?: number;
};

/** A policy document (format v1), parsed and checked. */
export type PolicyDocument = {
  readonly version: 1;
  /** Lowercase. */
  readonly account: Hex;
  readonly sequence: number;
  /** Milliseconds since the epoch. */
  readonly notAfter: number;
  readonly rules: readonly PolicyDocumentRule[];
  readonly limits: readonly PolicyLimit[];
};

/** What a policy decides about: a request as the signer will sign it (transactions already validated). */
export type PolicyRequest =
  | { readonly action: "transaction"; readonly transaction: TransactionSerializable }
  | { readonly action: "message"; readonly message: Uint8Array }
  | { readonly action: "typedData"; readonly typedData: TypedDataDefinition }
  | { readonly action: "authorization"; readonly authorization: { readonly chainId: number; readonly address: Hex; readonly nonce: number } };

/**
 * A decision. `rule` is the deciding rule or limit id, or one of `no-policy` (a governed key without a policy),
 * `expired` (past `notAfter`), `no-allow-rule` (nothing allowed it), `unrestricted` (allowed: a key without
 * governance); `reason` says why in words. Document ids may not take these words (RESERVED_POLICY_IDS).
 */
export type PolicyDecision =
  | { readonly allowed: true; readonly rule: string }
  | { readonly allowed: false; readonly rule: string; readonly reason: string };

/** How much of each limit's window is used, for `policy.describe` / `signer_policy`. */
export type WindowUsage = { readonly id: string; readonly window: number; readonly value: string; readonly count: number };

/** A reserved place in the account's windows: `release()` it if the signature then fails. */
export type PolicyReservation = { release(): void };
