import { FetchRequest, JsonRpcProvider, type JsonRpcApiProviderOptions, type Networkish } from "ethers";
import { type AttestationGate, createAttestationGate } from "./create_attestation_gate.ts";
import type { VerifySignerOptions } from "./verify_signer.ts";

/** Options of `attestedProvider()`: what to verify, plus ethers' own provider arguments. */
export type AttestedProviderOptions = VerifySignerOptions & {
  /** ethers' `network` argument (e.g. `1` or `"mainnet"`). @default detected from eth_chainId */
  readonly network?: Networkish;
  /** ethers' `JsonRpcApiProviderOptions` (batching, polling, `staticNetwork`, …). */
  readonly providerOptions?: JsonRpcApiProviderOptions;
};

export type AttestedProviderReturnType = JsonRpcProvider;

/**
 * An ethers v6 `JsonRpcProvider` whose signing path is gated as `attestedTransport()`'s is: every signing or
 * sending request (`eth_sendTransaction`, `eth_signTransaction`, `personal_sign`, `eth_sign`,
 * `eth_signTypedData_v4`, `wallet_sendTransaction`), whichever `JsonRpcSigner` makes it, waits for a verified
 * attestation (`verifySigner()`, again after `maxAgeMs` or when the accounts change), and its answer's signature
 * must recover to the requested account. `getSigner(address)` works as with ethers' own provider. Headers from
 * `fetchOptions.headers` (an API key) go on every request. Refusals throw `AttestationError`.
 *
 * A subclass because ethers' extension point is `send()` (STYLE §2 keeps classes for errors; ethers leaves no
 * other way to gate requests made by its signers); the class itself is not exported.
 *
 * @example
 * ```ts
 * import { attestedProvider } from "./client/mod.ts";
 *
 * const provider = attestedProvider("https://signer.example.com", { pcrs: { 0: approvedPcr0 } });
 * const signer = await provider.getSigner("0xYourSignerAccount…");
 * const response = await signer.sendTransaction({ to, value }); // verified first, or AttestationError
 * ```
 */
export function attestedProvider(url: string, options: AttestedProviderOptions): AttestedProviderReturnType {
  const { network, providerOptions, ...verifyOptions } = options;
  const gate = createAttestationGate(url, verifyOptions);
  const request = new FetchRequest(url);
  new Headers(verifyOptions.fetchOptions?.headers).forEach((value, name) => request.setHeader(name, value));
  return new AttestedJsonRpcProvider(gate, request, network, providerOptions);
}

class AttestedJsonRpcProvider extends JsonRpcProvider {
  readonly #gate: AttestationGate;

  constructor(gate: AttestationGate, request: FetchRequest, network: Networkish | undefined, options: JsonRpcApiProviderOptions | undefined) {
    super(request, network, options);
    this.#gate = gate;
  }

  // Every request of the provider and of its JsonRpcSigners goes through send() (ethers v6 JsonRpcApiProvider).
  override send(method: string, params: unknown[] | Record<string, unknown>): Promise<unknown> {
    return this.#gate.request(method, Array.isArray(params) ? params : [params], () => super.send(method, params));
  }
}
