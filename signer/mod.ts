/**
 * The signer's door (STYLE §2): what other rooms (rpc-proxy, host-agent, local, bench) import from the signer,
 * web standards only. Runtime adapters have doors of their own beside it: `mod_deno.ts` (vsock transport) and
 * `mod_node.ts` (the Node transport), so a Deno entry point never pulls Node code. `scripts/check_room_imports.mjs`
 * (run by CI) refuses an import that reaches past a door.
 *
 * @example
 * ```ts
 * import { createSimulatedNsm, verifyAttestationDocument } from "./signer/mod.ts";
 * ```
 * @module
 */

// Attestation documents (DESIGN §5).
export {
  type AttestationDocument,
  MAX_ATTESTATION_DOCUMENT_BYTES,
  verifyAttestationDocument,
  type VerifyAttestationDocumentErrorType,
  type VerifyAttestationDocumentOptions,
  type VerifyAttestationDocumentReturnType,
} from "./attestation/verify_attestation_document.ts";
export { type AttestationCheck, AttestationError } from "./attestation/attestation_error.ts";
export { AWS_NITRO_ROOT_G1_PEM, AWS_NITRO_ROOT_G1_SHA256 } from "./attestation/aws_nitro_root_g1.ts";

// The NSM boundary: the type, its error, the simulated implementation and its PKI.
export {
  type Nsm,
  type NsmAttestOptions,
  type NsmDescription,
  type NsmErrorCode,
  type NsmKind,
  type NsmRequest,
  type NsmResponse,
  NSM_REQUEST_MAX_SIZE,
  NSM_RESPONSE_MAX_SIZE,
} from "./nsm/nsm.ts";
export { NSM_ERROR_CODE, NsmError } from "./nsm/nsm_error.ts";
export { createSimulatedNsm, type CreateSimulatedNsmOptions, type SimulatedNsm } from "./nsm/simulated/nsm_simulated.ts";
export {
  createSimulatedPki,
  type CreateSimulatedPkiOptions,
  SIMULATED_PKI_FORMAT,
  type SimulatedPki,
  type SimulatedPkiEntry,
} from "./nsm/simulated/create_simulated_pki.ts";
export { exportSimulatedPki } from "./nsm/simulated/export_simulated_pki.ts";
export { importSimulatedPki } from "./nsm/simulated/import_simulated_pki.ts";
export { createNsmClient, type NsmTransport } from "./nsm/create_nsm_client.ts";
export { createDeviceNsm, type DeviceNsm } from "./nsm/create_device_nsm.ts";
export { type NsmSyscallResult, type NsmSyscalls, nsmIoctl } from "./nsm/nsm_ioctl.ts";
export { encodeNsmRequest } from "./nsm/encode_nsm_request.ts";
export { decodeNsmResponse } from "./nsm/decode_nsm_response.ts";

// The enclave protocol (DESIGN §4): messages, frames, errors, the client, and the one params parser both sides use.
export {
  type AccountInfo,
  type AccountPolicy,
  type GovernanceParams,
  type Hex,
  type PolicyCheckParams,
  type TransactionParams,
  type WindowStateParams,
  type WindowStateResult,
  type WindowUsageParams,
} from "./protocol/messages.ts";
export { createFrameDecoder, encodeFrame } from "./protocol/frame.ts";
export { BaseError } from "./protocol/base_error.ts";
export { ErrorCode } from "./protocol/error_codes.ts";
export { createSignerClient, type SignerClient } from "./protocol/create_signer_client.ts";
export { MAX_PARAMS_DEPTH, nestingDepth } from "./protocol/nesting_depth.ts";
export { describeValue } from "./protocol/params/describe_value.ts";
export { InvalidParamsError } from "./protocol/params/invalid_params_error.ts";
export { isRecord } from "./protocol/params/is_record.ts";
export { isHexAddress, parseAddress } from "./protocol/params/parse_address.ts";
export { parseHexBytes } from "./protocol/params/parse_hex_bytes.ts";
export { parseQuantity } from "./protocol/params/parse_quantity.ts";

// Where the signer listens (tcp://, unix://, vsock://) and its log stream's port.
export { type Conn, type Listener, type SignerAddress, type Transport } from "./transport/transport.ts";
export { formatSignerAddress, parseSignerAddress } from "./transport/parse_signer_address.ts";
export { ENCLAVE_LOG_PORT } from "./logging/enclave_log_port.ts";

// Keys, KMS's CMS answers (DESIGN §6) and what attestations bind.
export { accountsDigest } from "./attestation/accounts_digest.ts";
export { ENCRYPTION_CONTEXT_APP, keyEncryptionContext } from "./keys/key_encryption_context.ts";
export { formatGovernance, MAX_GOVERNANCE_ADMINS, parseGovernance, sameGovernance } from "./keys/parse_governance.ts";
export { CmsOid } from "./cms/cms_oids.ts";
export { decryptCiphertextForRecipient, type DecryptCiphertextForRecipientErrorType } from "./cms/decrypt_ciphertext_for_recipient.ts";
export { CmsDecryptError, CmsMalformedError, CmsUnsupportedError } from "./cms/cms_errors.ts";

// Policy documents (issue 12): parsing, the digest admins approve, the EIP-712 approval they sign.
export { parsePolicyDocument } from "./policy/parse_policy_document.ts";
export { policyDigest } from "./policy/policy_digest.ts";
export { POLICY_APPROVAL_DOMAIN, POLICY_APPROVAL_TYPES, policyApprovalTypedData } from "./policy/policy_approval.ts";

// Signing as the enclave does it (the bench's raw baseline).
export { signTransaction } from "./signing/sign_transaction.ts";
