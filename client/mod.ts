/**
 * The attested client: viem and ethers refuse to use a signer they cannot verify (issue 15). Before the first
 * request that signs or sends, the client fetches the signer's attestation with a fresh nonce, verifies it with the
 * project's verifier (AWS Nitro root pinned by SHA-256, the expected PCRs, the nonce, the accounts and policies
 * bound in `user_data`) and only then forwards the request; signatures coming back must recover to the account
 * asked. Web standards only (Node, Deno, browsers): it imports the signer's and common's doors, viem and ethers.
 *
 * @example
 * ```ts
 * import { attestedTransport, AttestationError } from "./client/mod.ts";
 * import { createWalletClient } from "viem";
 *
 * const wallet = createWalletClient({
 *   account,
 *   chain,
 *   transport: attestedTransport("https://signer.example.com", { pcrs: { 0: approvedPcr0 } }),
 * });
 * ```
 * @module
 */
export { AttestationError, type AttestationErrorCode } from "./attestation_error.ts";
export { attestedTransport, type AttestedTransportOptions, type AttestedTransportReturnType } from "./attested_transport.ts";
export { attestedProvider, type AttestedProviderOptions, type AttestedProviderReturnType } from "./attested_provider.ts";
export {
  DEFAULT_MAX_AGE_MS,
  verifySigner,
  type VerifySignerErrorType,
  type VerifySignerOptions,
  type VerifySignerReturnType,
} from "./verify_signer.ts";
export { checkSignedResult } from "./check_signed_result.ts";
export { SIGNING_METHODS, signingAccount } from "./signing_request.ts";
export { type AttestationGate, createAttestationGate } from "./create_attestation_gate.ts";
