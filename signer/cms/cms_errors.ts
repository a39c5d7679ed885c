import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/** The bytes are not valid BER, or not a `ContentInfo` → `EnvelopedData` as RFC 5652 §3 and §6.1 define them. */
export class CmsMalformedError extends BaseError {
  override readonly name = "Cms.MalformedError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.cmsMalformed, `Cannot parse CMS envelope: ${message}`, options);
  }
}

/**
 * The envelope is well formed but is not the profile KMS uses for `CiphertextForRecipient`: EnvelopedData v2,
 * one KeyTransRecipientInfo v2 with a subjectKeyIdentifier, RSAES-OAEP (SHA-256, MGF1-SHA-256, empty label),
 * AES-256-CBC content. `field` names the part that differs.
 */
export class CmsUnsupportedError extends BaseError {
  override readonly name = "Cms.UnsupportedError";
  constructor(readonly field: string, message: string) {
    super(ErrorCode.cmsUnsupported, `Unsupported CMS envelope: ${field} ${message}`, { data: { field } });
  }
}

/**
 * Decryption failed: the RSA key does not match (OAEP decoding error, RFC 8017 §7.1.2) or the content padding
 * is wrong. The message never says which, so it cannot serve as a padding oracle.
 */
export class CmsDecryptError extends BaseError {
  override readonly name = "Cms.DecryptError";
  constructor(options: { cause?: unknown; details?: string } = {}) {
    super(ErrorCode.cmsDecryptFailed, "Cannot decrypt CMS envelope", options);
  }
}
