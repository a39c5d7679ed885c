import canonicalize from "canonicalize";
import { sha256 } from "viem";
import type { Hex } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";

export type PolicyDigestReturnType = Hex;
export type PolicyDigestErrorType = InvalidParamsError;

/**
 * A policy document's canonical JSON (RFC 8785, JSON Canonicalization Scheme): members sorted by UTF-16 code
 * units, no whitespace, numbers as ECMAScript writes them (§3.2.2.3), strings minimally escaped (§3.2.2.2). This is
 * the text `policyDigest` hashes and the one `policy.describe` shows, so anyone can re-hash it.
 * InvalidParamsError on "policy" for a value JSON cannot carry (NaN, Infinity, a lone surrogate, a cycle).
 *
 * @example
 * ```ts
 * canonicalPolicyJson({ b: 1, a: "x" }); // '{"a":"x","b":1}'
 * ```
 */
export function canonicalPolicyJson(json: unknown): string {
  let text: string | undefined;
  try {
    text = canonicalize(json);
  } catch (error) {
    throw new InvalidParamsError("policy", `cannot be canonicalized (RFC 8785): ${error instanceof Error ? error.message : "invalid value"}`);
  }
  if (text === undefined) throw new InvalidParamsError("policy", "is not a JSON value");
  return text;
}

/**
 * The policy digest (issue 12): SHA-256 of the document's RFC 8785 canonical JSON, as 0x-prefixed lowercase hex.
 * Takes the document as JSON.parse gives it, so two texts differing only in whitespace or member order have the
 * same digest. Pure and synchronous (viem's SHA-256, noble-hashes), the same in the enclave and in tests.
 *
 * @example
 * ```ts
 * const digest = policyDigest(JSON.parse(documentText)); // "0x3f0c…"
 * ```
 */
export function policyDigest(json: unknown): PolicyDigestReturnType {
  return sha256(new TextEncoder().encode(canonicalPolicyJson(json)));
}
