import type { Hex } from "viem";
import { AttestationError } from "./attestation_error.ts";
import { checkSignedResult } from "./check_signed_result.ts";
import { SIGNING_METHODS, signingAccount } from "./signing_request.ts";
import { DEFAULT_MAX_AGE_MS, verifySigner, type VerifySignerOptions, type VerifySignerReturnType } from "./verify_signer.ts";

/** What `attestedTransport()` and `attestedProvider()` put around each JSON-RPC request. */
export type AttestationGate = {
  /**
   * Runs `send` for one request: a signing request only after a verification that is younger than `maxAgeMs`
   * and covers the requested account, and its answer only once its signature checks out. Other requests go
   * through; an `eth_accounts` answer that differs from the verified accounts makes the next signing verify again.
   */
  request<T>(method: string, params: readonly unknown[] | undefined, send: () => Promise<T>): Promise<T>;
  /** The last successful verification, if it is still the one in use. */
  readonly verified: VerifySignerReturnType | undefined;
};

/**
 * The state `attestedTransport()` and `attestedProvider()` share: the last verification, when it was made, and
 * whether the served accounts changed since. Concurrent signing requests wait for one verification; a failed one
 * is not remembered (the next signing request verifies again).
 *
 * @example
 * ```ts
 * const gate = createAttestationGate(url, { pcrs: { 0: pcr0 } });
 * const signature = await gate.request("personal_sign", params, () => send("personal_sign", params));
 * ```
 */
export function createAttestationGate(url: string, options: VerifySignerOptions): AttestationGate {
  const clock = options.clock ?? Date.now;
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  let last: { result: VerifySignerReturnType; at: number } | undefined;
  let pending: Promise<VerifySignerReturnType> | undefined;
  let accountsChanged = false;

  function verify(force: boolean): Promise<VerifySignerReturnType> {
    if (!force && last && !accountsChanged && clock() - last.at < maxAgeMs) return Promise.resolve(last.result);
    pending ??= verifySigner(url, options).then(
      (result) => {
        last = { result, at: clock() };
        accountsChanged = false;
        return result;
      },
      (error: unknown) => {
        last = undefined;
        throw error;
      },
    ).finally(() => (pending = undefined));
    return pending;
  }

  const served = (result: VerifySignerReturnType, account: Hex) => result.accounts.some((a) => a.toLowerCase() === account);

  return {
    get verified() {
      return last?.result;
    },
    async request(method, params, send) {
      if (!SIGNING_METHODS.has(method)) {
        const result = await send();
        if ((method === "eth_accounts" || method === "eth_requestAccounts") && last && !sameAccounts(result, last.result.accounts)) accountsChanged = true;
        return result;
      }
      const account = signingAccount(method, params);
      let verified = await verify(false);
      if (account && !served(verified, account)) {
        // A new account since the last verification, or one the signer does not hold: ask the enclave.
        verified = await verify(true);
        if (!served(verified, account)) {
          throw new AttestationError("accounts", `The attested signer does not hold ${account} (it holds ${verified.accounts.join(", ") || "no account"})`);
        }
      }
      const result = await send();
      await checkSignedResult(method, params ?? [], result, account, verified.accounts.map((a) => a.toLowerCase() as Hex));
      return result;
    },
  };
}

function sameAccounts(listed: unknown, verified: readonly Hex[]): boolean {
  if (!Array.isArray(listed) || listed.length !== verified.length) return false;
  const set = new Set(verified.map((a) => a.toLowerCase()));
  return listed.every((a) => typeof a === "string" && set.has(a.toLowerCase()));
}
