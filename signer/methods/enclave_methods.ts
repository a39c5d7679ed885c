import { accountsDigest } from "../attestation/accounts_digest.ts";
import type { CredentialsStore } from "../credentials/credentials_store.ts";
import type { EnclaveKeyPair } from "../keys/create_enclave_key_pair.ts";
import type { KeyStore } from "../keys/key_store.ts";
import type { Nsm } from "../nsm/nsm.ts";
import type { SignerMethods } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";
import { paramsRecord } from "./method_helpers.ts";

type Handler<M extends keyof SignerMethods> = (params: unknown) => Promise<SignerMethods[M]["result"]> | SignerMethods[M]["result"];

/**
 * `attest` and `credentials.put`. Every attestation carries the signer's RSA public key (so KMS and importers
 * encrypt to it) and, as `user_data`, the digest of the accounts it serves and of the policy governing each
 * (`accountsDigest`), so a client that verifies the document knows which accounts the attested enclave holds and
 * under which policy. The caller's nonce proves freshness.
 *
 * @example
 * ```ts
 * const { document } = await enclaveMethods(deps).attest({ nonce });
 * ```
 */
export function enclaveMethods(deps: {
  keyStore: KeyStore;
  nsm: Pick<Nsm, "attest">;
  identity: Pick<EnclaveKeyPair, "publicKeySpki">;
  credentials: CredentialsStore;
  /** What governs each account, as `accountsDigest` binds it: "unrestricted", "none" or the policy digest. @default "unrestricted" */
  accountPolicy?: (address: string) => string;
}): { attest: Handler<"attest">; "credentials.put": Handler<"credentials.put"> } {
  return {
    attest: async (params) => {
      const { nonce } = paramsRecord(params);
      if (nonce !== undefined && (!(nonce instanceof Uint8Array) || nonce.length > 512)) {
        throw new InvalidParamsError("nonce", "expected at most 512 bytes");
      }
      const policy = deps.accountPolicy ?? (() => "unrestricted");
      const userData = await accountsDigest(deps.keyStore.list().map(({ address }) => ({ address, policy: policy(address) })));
      const document = await deps.nsm.attest({ publicKey: deps.identity.publicKeySpki, userData, ...(nonce ? { nonce } : {}) });
      return { document };
    },
    "credentials.put": (params) => deps.credentials.put(params),
  };
}
