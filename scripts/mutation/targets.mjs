// What `npm run test:mutation` mutates (issue 20: the security-critical code), one Stryker run per source file,
// each with only the test files that cover that file as its command (every mutant reruns the command, so a
// narrow command is what makes the run affordable). `mutate` may name a line range (`file:from-to`) when only
// part of a file is in scope. Tests are listed cheapest-and-most-direct first: the run stops at the first failure.

/**
 * @typedef {{ name: string, mutate: string[], tests: string[], coverageAnalysis?: "off" | "perTest", runner?: "command" }} MutationTarget
 * `coverageAnalysis: "off"` for code the tests also run in worker threads, whose coverage the runner cannot see:
 * every mutant then runs every listed test file. `runner: "command"` for code a module runs once and caches: each
 * mutant then gets a fresh process (stryker.config.mjs).
 */

/** @type {MutationTarget[]} */
export const TARGETS = [
  // Key handling and zeroing.
  {
    name: "key_store",
    mutate: ["signer/keys/key_store.ts"],
    tests: ["test/signer/keys/key_store.test.ts", "test/signer/keys/key_zeroing.test.ts", "test/signer/keys/governed_key_methods.test.ts", "test/signer/workers/create_inline_signing_pool.test.ts"],
  },
  {
    name: "create_inline_signing_pool",
    mutate: ["signer/workers/create_inline_signing_pool.ts"],
    tests: ["test/signer/keys/key_zeroing.test.ts", "test/signer/workers/create_inline_signing_pool.test.ts"],
  },
  {
    name: "create_signing_worker_handler",
    mutate: ["signer/workers/create_signing_worker_handler.ts"],
    tests: ["test/signer/workers/create_signing_worker_handler.test.ts", "test/signer/keys/key_zeroing.test.ts", "test/signer/workers/create_worker_signing_pool.test.ts"],
    coverageAnalysis: "off",
  },
  {
    // Only the key messages (broadcast, addKey, removeKey, close): dispatch and batching are not key handling.
    name: "create_worker_signing_pool",
    mutate: ["signer/workers/create_worker_signing_pool.ts:128-159", "signer/workers/create_worker_signing_pool.ts:176-181"],
    tests: ["test/signer/workers/create_worker_signing_pool_keys.test.ts", "test/signer/keys/key_zeroing.test.ts", "test/signer/workers/create_worker_signing_pool.test.ts"],
  },
  // API-key authentication.
  {
    name: "authenticate_request",
    mutate: ["rpc-proxy/auth/authenticate_request.ts"],
    tests: ["test/rpc-proxy/auth/authenticate_request.test.ts", "test/rpc-proxy/auth/api_keys.test.ts"],
  },
  {
    name: "parse_api_keys",
    // Only the file's own tests: the others parse their keys while loading, which makes every mutant reached
    // there "static" (a fresh process per mutant), and they add nothing parse_api_keys.test.ts does not check.
    mutate: ["rpc-proxy/auth/parse_api_keys.ts"],
    tests: ["test/rpc-proxy/auth/parse_api_keys.test.ts"],
  },
  // Attestation verification and the digests it binds.
  {
    name: "verify_attestation_document",
    mutate: ["signer/attestation/verify_attestation_document.ts:1-166", "signer/attestation/verify_attestation_document.ts:178-192"],
    tests: ["test/signer/attestation/verify_attestation_document.test.ts"],
  },
  {
    // The default root, parsed and checked against its pin once per process (cached in `defaultRoots`).
    name: "verify_attestation_document_default_root",
    mutate: ["signer/attestation/verify_attestation_document.ts:167-177"],
    tests: ["test/signer/attestation/verify_attestation_document.test.ts"],
    runner: "command",
  },
  {
    name: "verify_certificate_chain",
    mutate: ["signer/attestation/verify_certificate_chain.ts"],
    tests: ["test/signer/attestation/verify_certificate_chain.test.ts", "test/signer/attestation/verify_attestation_document.test.ts"],
  },
  {
    name: "decode_cose_sign1",
    mutate: ["signer/attestation/decode_cose_sign1.ts"],
    tests: ["test/signer/attestation/decode_cose_sign1.test.ts", "test/signer/attestation/verify_attestation_document.test.ts"],
  },
  {
    name: "accounts_digest",
    mutate: ["signer/attestation/accounts_digest.ts"],
    tests: ["test/signer/attestation/accounts_digest.test.ts"],
  },
  {
    name: "policy_digest",
    mutate: ["signer/policy/policy_digest.ts"],
    tests: ["test/signer/policy/policy_digest.test.ts"],
  },
  // CMS decryption (the KMS ciphertext for the enclave's recipient key).
  {
    name: "parse_enveloped_data",
    mutate: ["signer/cms/parse_enveloped_data.ts"],
    tests: ["test/signer/cms/parse_enveloped_data.test.ts", "test/signer/cms/decrypt_ciphertext_for_recipient.test.ts"],
  },
  {
    name: "decrypt_ciphertext_for_recipient",
    mutate: ["signer/cms/decrypt_ciphertext_for_recipient.ts"],
    tests: ["test/signer/cms/decrypt_ciphertext_for_recipient.test.ts"],
  },
  // Policy evaluation.
  {
    name: "evaluate_policy",
    mutate: ["signer/policy/evaluate_policy.ts"],
    tests: ["test/signer/policy/evaluate_policy.test.ts"],
  },
  {
    name: "policy_approval",
    mutate: ["signer/policy/policy_approval.ts"],
    tests: ["test/signer/policy/policy_approval.test.ts", "test/signer/policy/create_policy_engine.test.ts"],
  },
  // The fleet's window records (issue 13): HMAC-authenticated state every instance trusts, and the key behind it.
  {
    name: "window_record",
    mutate: ["signer/policy/window_record.ts"],
    tests: ["test/signer/policy/window_record.test.ts", "test/signer/policy/create_fleet_windows.test.ts"],
  },
  {
    name: "derive_window_key",
    mutate: ["signer/policy/derive_window_key.ts"],
    tests: ["test/signer/policy/window_record.test.ts"],
  },
  {
    // The limit arithmetic both window stores share (sums per window, pruning, merging past maxEntries).
    name: "window_entries",
    mutate: ["signer/policy/window_entries.ts"],
    tests: ["test/signer/policy/create_policy_windows.test.ts", "test/signer/policy/create_fleet_windows.test.ts"],
  },
];
