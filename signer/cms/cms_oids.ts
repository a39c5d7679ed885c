/**
 * Object identifiers of the one CMS profile KMS uses for `CiphertextForRecipient` (DESIGN §6). Shared by the
 * parser (signer) and the encryptor of the local KMS stand-in, so both speak exactly the same profile.
 */
export const CmsOid = {
  /** RFC 5652 §4: id-data. */
  data: "1.2.840.113549.1.7.1",
  /** RFC 5652 §6.1: id-envelopedData. */
  envelopedData: "1.2.840.113549.1.7.3",
  /** RFC 8017 Appendix A.2.1 (RFC 4055 §4.1): id-RSAES-OAEP. */
  rsaesOaep: "1.2.840.113549.1.1.7",
  /** RFC 8017 Appendix B.2.1: id-mgf1. */
  mgf1: "1.2.840.113549.1.1.8",
  /** RFC 8017 Appendix A.2.1: id-pSpecified (the OAEP label source). */
  pSpecified: "1.2.840.113549.1.1.9",
  /** RFC 5754 §2.2 / NIST CSOR: id-sha256. */
  sha256: "2.16.840.1.101.3.4.2.1",
  /** RFC 3565 §4.1 / NIST CSOR: id-aes256-CBC. */
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  /** RFC 8017 Appendix A.1: rsaEncryption (SubjectPublicKeyInfo algorithm of an RSA key). */
  rsaEncryption: "1.2.840.113549.1.1.1",
} as const;
