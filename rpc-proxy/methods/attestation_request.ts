import { bytesToBase64 } from "../../common/mod.ts";
import { hexToBytes, type Hex } from "viem";
import { RpcCode, RpcError } from "../jsonrpc/rpc_error.ts";
import type { RpcContext } from "./rpc_context.ts";

/** The NSM takes at most 512 bytes of nonce (AWS Nitro Enclaves NSM API, `Attestation`). */
export const MAX_ATTESTATION_NONCE_BYTES = 512;

/**
 * `signer_attestation` `[nonceHex]`: the signer's current attestation document (COSE_Sign1 from the NSM),
 * base64. The signer binds the nonce, `user_data` = SHA-256 of its accounts (lowercase, sorted, joined with
 * "\n") and its RSA public key into it; a client checks all three and the PCRs with the attestation CLI. The
 * nonce (1–512 bytes of hex) should be fresh and random; without one the document proves no freshness.
 *
 * @example
 * ```ts
 * const documentBase64 = await attestationRequest(["0x0102…"], context);
 * ```
 */
export async function attestationRequest(params: unknown[], context: RpcContext): Promise<string> {
  const [nonceHex] = params;
  if (params.length > 1 || (nonceHex !== undefined && nonceHex !== null && typeof nonceHex !== "string")) {
    throw new RpcError(RpcCode.invalidParams, "Invalid params: expected [nonceHex]");
  }
  let nonce: Uint8Array | undefined;
  if (typeof nonceHex === "string") {
    if (!/^0x([0-9a-fA-F]{2})+$/.test(nonceHex) || nonceHex.length > 2 + 2 * MAX_ATTESTATION_NONCE_BYTES) {
      throw new RpcError(RpcCode.invalidParams, `Invalid params: the nonce must be 1 to ${MAX_ATTESTATION_NONCE_BYTES} bytes of 0x-prefixed hex`);
    }
    nonce = hexToBytes(nonceHex as Hex);
  }
  const result = await context.signer.request("attest", nonce === undefined ? {} : { nonce });
  if (!(result?.document instanceof Uint8Array)) throw new TypeError("The signer answered attest without a document");
  return bytesToBase64(result.document);
}
