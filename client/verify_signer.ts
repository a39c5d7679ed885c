import { bytesToHex, getAddress, type Hex, isAddress } from "viem";
import { base64ToBytes } from "../common/mod.ts";
import {
  type AttestationCheck,
  AttestationError as DocumentError,
  accountsDigest,
  MAX_ATTESTATION_DOCUMENT_BYTES,
  verifyAttestationDocument,
} from "../signer/mod.ts";
import { AttestationError, type AttestationErrorCode } from "./attestation_error.ts";
import { jsonRpcRequest, redactUrl } from "./json_rpc_request.ts";

/** Options of `verifySigner()`, also taken by `attestedTransport()` and `attestedProvider()`. */
export type VerifySignerOptions = {
  /**
   * PCR index → the expected value (hex, with or without 0x): PCR0 (the enclave image) is required; add PCR1/2
   * (kernel, application), PCR3 (the parent's IAM role) or PCR8 (the image's signing certificate) to pin more.
   */
  readonly pcrs: Readonly<Record<number, string>>;
  /**
   * The trusted root certificate, PEM (or DER). Only for a non-AWS PKI such as the local stack's simulated one
   * (`<state-dir>/pki/root.pem`).
   * @default the AWS Nitro Enclaves root G1, pinned by the SHA-256 of its DER
   */
  readonly root?: string | Uint8Array;
  /** Addresses the signer must serve (any case); one missing is refused with code `accounts`. */
  readonly accounts?: readonly string[];
  /**
   * Address → the policy expected to govern it: a policy's 0x digest (`host-agent policy digest`), `none` or
   * `unrestricted`. Anything else is refused with code `policy`.
   */
  readonly policies?: Readonly<Record<string, string>>;
  /**
   * The largest difference allowed between the document's timestamp and now, in ms (`attestedTransport()` and
   * `attestedProvider()` also verify again once their last verification is this old).
   * @default 300_000 (5 minutes)
   */
  readonly maxAgeMs?: number;
  /** Passed to every `fetch` of the verification (`headers` for an API key, `credentials`, `signal`, …). */
  readonly fetchOptions?: Omit<RequestInit, "body" | "method">;
  /** The current time in ms since the epoch (tests, or a clock the caller trusts more). @default Date.now */
  readonly clock?: () => number;
};

/** What `verifySigner()` verified. */
export type VerifySignerReturnType = {
  /** Every PCR in the document: index → 0x hex. */
  readonly pcrs: Readonly<Record<number, Hex>>;
  /** The accounts the attested enclave holds (checksummed), as `eth_accounts` lists them. */
  readonly accounts: readonly Hex[];
  /** Lowercase address → its policy as the document binds it: `unrestricted`, `none` or the policy's 0x digest. */
  readonly policies: Readonly<Record<Hex, string>>;
  /** The document's timestamp (the NSM's clock when it attested). */
  readonly timestamp: Date;
  /** The enclave's id, e.g. `i-0abc…-enc0123…`. */
  readonly moduleId: string;
  /** The fresh nonce this verification sent and found in the document. */
  readonly nonce: Hex;
  /** When the verification finished (by `clock`). */
  readonly verifiedAt: Date;
};

export type VerifySignerErrorType = AttestationError | TypeError | RangeError;

/** `attestedTransport()`'s and `attestedProvider()`'s default `maxAgeMs`. */
export const DEFAULT_MAX_AGE_MS = 5 * 60_000;

const POLICY = /^(unrestricted|none|0x[0-9a-f]{64})$/;

/**
 * Verifies the signer behind a JSON-RPC URL once: sends `signer_attestation` with a fresh 32-byte nonce (from
 * WebCrypto), `eth_accounts` and each account's `signer_policy`, then checks the document with the project's
 * verifier (`verifyAttestationDocument`, DESIGN §5: pinned root, certificate chain, COSE signature, validity),
 * the PCRs, the nonce, the document's age, and that its `user_data` is the digest of the accounts and policies
 * the proxy listed (`accountsDigest`: SHA-256 of the sorted lines `<address> <policy>`). So the accounts the
 * proxy names, and each one's policy, are the ones the attested enclave holds. Finally `accounts` and `policies`.
 *
 * An API key limited to some accounts sees only those in `eth_accounts`, so the digest of all the signer's
 * accounts cannot be recomputed with it: that is refused with code `accounts`; verify with a key that sees all.
 *
 * @example
 * ```ts
 * const verified = await verifySigner("https://signer.example.com", {
 *   pcrs: { 0: "a1b2…" },
 *   fetchOptions: { headers: { authorization: `Bearer ${apiKey}` } },
 * });
 * console.log(verified.accounts, verified.policies, verified.timestamp);
 * ```
 */
export async function verifySigner(url: string, options: VerifySignerOptions): Promise<VerifySignerReturnType> {
  // Arguments first (STYLE §7).
  checkUrl(url);
  if (typeof options !== "object" || options === null) throw new TypeError("Cannot verify signer: options are required");
  if (typeof options.pcrs !== "object" || options.pcrs === null || typeof options.pcrs[0] !== "string") {
    throw new TypeError("Cannot verify signer: options.pcrs must give PCR0 (the approved enclave image) as hex");
  }
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  if (typeof maxAgeMs !== "number" || !(maxAgeMs > 0) || !Number.isFinite(maxAgeMs)) throw new RangeError("Cannot verify signer: maxAgeMs must be > 0");
  const required = (options.accounts ?? []).map((address) => checkedAddress(address, "options.accounts"));
  const expectedPolicies = Object.entries(options.policies ?? {}).map(([address, policy]) => {
    const lower = typeof policy === "string" ? policy.toLowerCase() : "";
    if (!POLICY.test(lower)) throw new TypeError(`Cannot verify signer: options.policies[${address}] must be unrestricted, none or a 0x digest`);
    return [checkedAddress(address, "options.policies"), lower] as const;
  });
  const clock = options.clock ?? Date.now;
  const fetchOptions: RequestInit = options.fetchOptions ?? {};

  const nonce = crypto.getRandomValues(new Uint8Array(32));
  const [documentBase64, listed] = await jsonRpcRequest(url, [
    { method: "signer_attestation", params: [bytesToHex(nonce)] },
    { method: "eth_accounts", params: [] },
  ], fetchOptions);
  const document = decodeDocument(documentBase64);
  if (!Array.isArray(listed) || !listed.every((a) => typeof a === "string" && isAddress(a, { strict: false }))) {
    throw new AttestationError("transport", `${redactUrl(url)} answered eth_accounts with something other than addresses`);
  }
  const accounts = listed.map((a: string) => getAddress(a));
  const answers = await jsonRpcRequest(url, accounts.map((a) => ({ method: "signer_policy", params: [a] })), fetchOptions);
  const policies: Record<Hex, string> = {};
  accounts.forEach((address, i) => (policies[address.toLowerCase() as Hex] = policyOf(answers[i], address)));

  const userData = await accountsDigest(accounts.map((address) => ({ address, policy: policies[address.toLowerCase() as Hex]! })));
  let verified;
  try {
    verified = await verifyAttestationDocument(document, {
      ...(options.root === undefined ? {} : { roots: [options.root] }),
      at: clock(),
      expect: { pcrs: options.pcrs, nonce, userData, maxAgeMs },
    });
  } catch (error) {
    if (error instanceof DocumentError) throw documentRefused(error, accounts.length);
    throw error; // TypeError / RangeError: a bad option (a PCR that is not hex, a root that is not PEM)
  }

  for (const address of required) {
    if (!(address.toLowerCase() in policies)) {
      throw new AttestationError("accounts", `The signer does not serve ${address} (it serves ${accounts.join(", ") || "no account"})`);
    }
  }
  for (const [address, expected] of expectedPolicies) {
    const actual = policies[address.toLowerCase() as Hex];
    if (actual === undefined) throw new AttestationError("policy", `The signer does not serve ${address}, so no policy governs it`);
    if (actual !== expected) throw new AttestationError("policy", `${address} is governed by ${actual}, expected ${expected}`);
  }

  const pcrs: Record<number, Hex> = {};
  for (const [index, value] of Object.entries(verified.pcrs)) pcrs[Number(index)] = bytesToHex(value);
  return {
    pcrs,
    accounts,
    policies,
    timestamp: new Date(verified.timestamp),
    moduleId: verified.moduleId,
    nonce: bytesToHex(nonce),
    verifiedAt: new Date(clock()),
  };
}

function checkUrl(url: string): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== "http:" && protocol !== "https:") throw new TypeError("Cannot verify signer: url must be an http(s) URL");
}

function checkedAddress(address: string, what: string): Hex {
  if (typeof address !== "string" || !isAddress(address, { strict: false })) throw new TypeError(`Cannot verify signer: ${what}: ${String(address)} is not an address`);
  return getAddress(address);
}

function decodeDocument(value: unknown): Uint8Array {
  // base64 is 4/3 of the bytes: refuse an oversized answer before decoding it.
  if (typeof value !== "string" || value.length === 0 || value.length > Math.ceil(MAX_ATTESTATION_DOCUMENT_BYTES / 3) * 4) {
    throw new AttestationError("transport", "signer_attestation did not answer a document (base64)");
  }
  const bytes = base64ToBytes(value);
  if (!bytes) throw new AttestationError("transport", "signer_attestation answered something other than base64");
  return bytes;
}

function policyOf(answer: unknown, address: Hex): string {
  const { kind, digest } = (typeof answer === "object" && answer !== null ? answer : {}) as { kind?: unknown; digest?: unknown };
  const policy = kind === "policy" ? (typeof digest === "string" ? digest.toLowerCase() : "") : String(kind);
  if (!POLICY.test(policy)) throw new AttestationError("transport", `signer_policy answered no valid policy for ${address}`);
  return policy;
}

/** The verifier's failed step → the client's stable code (DESIGN §5 lists the steps). */
const CODE_OF_CHECK: Readonly<Record<AttestationCheck, AttestationErrorCode>> = {
  size: "chain",
  cbor: "chain",
  "cose-structure": "chain",
  "payload-fields": "chain",
  root: "chain",
  "cabundle-root": "chain",
  "chain-signature": "chain",
  constraints: "chain",
  "cose-signature": "chain",
  validity: "expired",
  "max-age": "expired",
  pcr: "pcr",
  nonce: "nonce",
  "user-data": "accounts",
};

function documentRefused(error: DocumentError, listed: number): AttestationError {
  const code = CODE_OF_CHECK[error.check];
  const message = error.check === "user-data"
    ? `The document's user_data is not the digest of the ${listed} account(s) eth_accounts lists and their policies: ` +
      "the proxy names accounts (or policies) the attested enclave does not hold, or an API key limited to some " +
      "accounts sees only those, so the digest of all the signer's accounts cannot be recomputed (verify with a key " +
      "that sees every account)"
    : error.reason;
  return new AttestationError(code, message, { cause: error, check: error.check });
}
