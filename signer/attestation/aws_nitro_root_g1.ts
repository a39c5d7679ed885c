/**
 * The AWS Nitro Enclaves root certificate G1 for the commercial partitions (public; published by AWS as
 * `AWS_NitroEnclaves_Root-G1.zip`). Subject `CN=aws.nitro-enclaves, C=US, O=Amazon, OU=AWS`, P-384, valid
 * 2019-10-28 to 2049-10-28. `verifyAttestationDocument()` trusts it by default, and only after checking that
 * its DER hashes to `AWS_NITRO_ROOT_G1_SHA256` (so an edit to this text cannot silently move the trust anchor).
 *
 * @example
 * ```ts
 * await verifyAttestationDocument(document, { roots: [AWS_NITRO_ROOT_G1_PEM] });
 * ```
 */
export const AWS_NITRO_ROOT_G1_PEM: string = `-----BEGIN CERTIFICATE-----
MIICETCCAZagAwIBAgIRAPkxdWgbkK/hHUbMtOTn+FYwCgYIKoZIzj0EAwMwSTEL
MAkGA1UEBhMCVVMxDzANBgNVBAoMBkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYD
VQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMTkxMDI4MTMyODA1WhcNNDkxMDI4
MTQyODA1WjBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQL
DANBV1MxGzAZBgNVBAMMEmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEG
BSuBBAAiA2IABPwCVOumCMHzaHDimtqQvkY4MpJzbolL//Zy2YlES1BR5TSksfbb
48C8WBoyt7F2Bw7eEtaaP+ohG2bnUs990d0JX28TcPQXCEPZ3BABIeTPYwEoCWZE
h8l5YoQwTcU/9KNCMEAwDwYDVR0TAQH/BAUwAwEB/zAdBgNVHQ4EFgQUkCW1DdkF
R+eWw5b6cp3PmanfS5YwDgYDVR0PAQH/BAQDAgGGMAoGCCqGSM49BAMDA2kAMGYC
MQCjfy+Rocm9Xue4YnwWmNJVA44fA0P5W2OpYow9OYCVRaEevL8uO1XYru5xtMPW
rfMCMQCi85sWBbJwKKXdS6BptQFuZbT73o/gBh1qUxl/nNr12UO8Yfwr6wPLb+6N
IwLz3/Y=
-----END CERTIFICATE-----
`;

/** SHA-256 of the DER of `AWS_NITRO_ROOT_G1_PEM`, lowercase hex (the pin from DESIGN §5). */
export const AWS_NITRO_ROOT_G1_SHA256 = "641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b";
