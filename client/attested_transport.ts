import { http, type HttpTransport, type HttpTransportConfig } from "viem";
import { createAttestationGate, type AttestationGate } from "./create_attestation_gate.ts";
import type { VerifySignerOptions } from "./verify_signer.ts";

/** Options of `attestedTransport()`: what to verify, plus viem's `http()` options (batching, retries, timeout). */
export type AttestedTransportOptions = VerifySignerOptions & {
  /** Passed to viem's `http()`; `fetchOptions` comes from the options above, so API keys reach both. */
  readonly http?: Omit<HttpTransportConfig, "fetchOptions">;
};

export type AttestedTransportReturnType = HttpTransport;

/**
 * A viem `Transport` (viem's `http`, wrapped) that refuses to let the signer sign what it has not verified: before
 * the first request that signs or sends (`eth_sendTransaction`, `wallet_sendTransaction`, `eth_signTransaction`,
 * `personal_sign`, `eth_sign`, `eth_signTypedData_v4`) it runs `verifySigner()` with a fresh nonce and forwards
 * the request only if that passed; it verifies again when the last verification is `maxAgeMs` old, when an
 * `eth_accounts` answer differs from the attested accounts and when a request names an account the attestation
 * does not cover. Signatures coming back must recover to the requested account (`checkSignedResult`). Reads pass
 * through. Refusals throw `AttestationError` (viem wraps it as the `cause` of a `TransactionExecutionError` for
 * `sendTransaction`). One verification state per `attestedTransport()` call, shared by every client that uses it.
 *
 * @example
 * ```ts
 * import { createWalletClient } from "viem";
 * import { mainnet } from "viem/chains";
 * import { attestedTransport } from "./client/mod.ts";
 *
 * const wallet = createWalletClient({
 *   account: "0xYourSignerAccount…",
 *   chain: mainnet,
 *   transport: attestedTransport("https://signer.example.com", { pcrs: { 0: approvedPcr0 } }),
 * });
 * const hash = await wallet.sendTransaction({ to, value }); // verified first, or AttestationError
 * ```
 */
export function attestedTransport(url: string, options: AttestedTransportOptions): AttestedTransportReturnType {
  const { http: httpOptions, ...verifyOptions } = options;
  const gate: AttestationGate = createAttestationGate(url, verifyOptions);
  const inner = http(url, { ...httpOptions, ...(verifyOptions.fetchOptions ? { fetchOptions: verifyOptions.fetchOptions } : {}) });
  const transport: HttpTransport = (parameters) => {
    const base = inner(parameters);
    const request: typeof base.request = (args, requestOptions) =>
      gate.request(args.method, args.params as readonly unknown[] | undefined, () => base.request(args, requestOptions));
    return {
      ...base,
      config: { ...base.config, key: "attested", name: "Attested JSON-RPC" },
      request,
    };
  };
  return transport;
}
