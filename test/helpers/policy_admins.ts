import canonicalize from "canonicalize";
import { sha256, toBytes, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

/**
 * Policy admins for end-to-end tests (issue 12): Anvil's published dev accounts #1–#3 as viem local accounts,
 * and the digest and EIP-712 approval written out here from the text, not from the signer's own
 * policy code, so the tests check the signer against the specification.
 */
export const ADMIN_A = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
export const ADMIN_B = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
/** Not an admin of any test key. */
export const OUTSIDER = privateKeyToAccount("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");

/** SHA-256 of the document's RFC 8785 canonical JSON, 0x-prefixed hex. */
export function documentDigest(document: unknown): Hex {
  return sha256(toBytes(canonicalize(document)!));
}

/** The typed data an admin signs: `PolicyApproval(address account, bytes32 policyDigest, uint64 sequence)`. */
export function approvalTypedData(account: Hex, digest: Hex, sequence: number) {
  return {
    domain: { name: "nitro-eth-signer policy", version: "1" },
    types: {
      PolicyApproval: [
        { name: "account", type: "address" },
        { name: "policyDigest", type: "bytes32" },
        { name: "sequence", type: "uint64" },
      ],
    },
    primaryType: "PolicyApproval",
    message: { account, policyDigest: digest, sequence: BigInt(sequence) },
  } as const;
}

/** Each admin's approval of `document` (by default exactly the document given; override any part to mis-sign). */
export function approve(
  document: { account: Hex; sequence: number },
  admins: readonly (typeof ADMIN_A)[],
  override: { account?: Hex; digest?: Hex; sequence?: number } = {},
): Promise<Hex[]> {
  const typed = approvalTypedData(override.account ?? document.account, override.digest ?? documentDigest(document), override.sequence ?? document.sequence);
  return Promise.all(admins.map((admin) => admin.signTypedData(typed)));
}

/** A notAfter a year ahead, as the document format wants it (ISO 8601 UTC). */
export const NEXT_YEAR = new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z");

/**
 * What a JSON-RPC refusal looks like after any client wrapped it: walks `cause` (viem) until an error with a
 * numeric `code` and `data` is found. Throws if the promise resolved (the request was signed).
 */
export async function rpcRefusal(promise: Promise<unknown>): Promise<{ code: number; data: { rule: string; reason: string } }> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error("expected a refusal, but the request was served");
  for (let e = error as { code?: unknown; data?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === "number" && e.code !== -1 && e.data !== undefined) return e as never;
  }
  throw error;
}
