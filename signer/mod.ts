/**
 * The signer's public entry point (STYLE §2): what other rooms (rpc-proxy, host-agent, local, tests) import
 * from the signer. Runtime-specific adapters (`*_deno.ts`) are not re-exported here; import them directly.
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
