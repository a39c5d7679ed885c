import type { SignerClient } from "../../signer/mod.ts";
import type { ImdsCredentials } from "../imds/parse_imds_credentials.ts";

/**
 * Sends role credentials to the signer (`credentials.put`, DESIGN §6: the enclave never reaches IMDS). The
 * region goes with them, so the signer knows which KMS endpoint (`kms.<region>.amazonaws.com`) to reach.
 *
 * @example
 * ```ts
 * await pushCredentials(signer, await imds.credentials(), "us-east-1");
 * ```
 */
export async function pushCredentials(
  signer: Pick<SignerClient, "request">,
  credentials: ImdsCredentials,
  region: string,
): Promise<{ region: string; expiration: string | null }> {
  return await signer.request("credentials.put", {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration.toISOString(),
    region,
  });
}
