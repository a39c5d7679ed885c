import type { Hex } from "../../signer/mod.ts";
import type { Upstream } from "../upstream/create_upstream.ts";
import type { TransactionRequest } from "./fill_transaction.ts";

export type GasEstimator = {
  /** Gas for `request` (its `gas` field absent): 21,000 for a plain transfer to an address with no code, else eth_estimateGas. */
  estimate(request: TransactionRequest): Promise<Hex>;
  /** Forgets every cached code lookup and caches none for the next `codeTtlMs` (code may be changing). */
  forget(): void;
};

export type CreateGasEstimatorOptions = {
  /** How long an address's lack of code is trusted. @default 12000 (about a mainnet block) */
  codeTtlMs?: number;
  /** @default performance.now */
  now?: () => number;
};

const TRANSFER_GAS: Hex = "0x5208";

/**
 * The proxy's gas filler (issue 14): a plain value transfer (`to` given, no data, no access list, no
 * authorizations, no blobs) to an address with no code needs no eth_estimateGas: 21,000. Whether the address has
 * code comes from a cached eth_getCode (trusted for `codeTtlMs`, forgotten when code may change: `forget`, called
 * for every contract creation and EIP-7702 authorization the proxy prepares). The chain must first show that
 * such a transfer costs 21,000 (some L2s fold other costs into gas): the first one is estimated as usual, and
 * only an answer of exactly 21,000 turns the shortcut on (detected once, per estimator). Everything else is
 * estimated against the latest block, as before.
 *
 * @example
 * ```ts
 * const gas = await createGasEstimator(upstream).estimate({ from, to, value: "0x1" }); // "0x5208"
 * ```
 */
export function createGasEstimator(upstream: Upstream, options: CreateGasEstimatorOptions = {}): GasEstimator {
  const ttl = options.codeTtlMs ?? 12_000;
  const now = options.now ?? (() => performance.now());
  const codeless = new Map<string, { until: number; read: Promise<boolean> }>();
  let noCacheUntil = -Infinity;
  /** undefined: not yet known; true: a plain transfer to an address with no code is 21,000 on this chain. */
  let transfersCost21000: boolean | undefined;

  const hasNoCode = (address: Hex): Promise<boolean> => {
    const key = address.toLowerCase();
    const at = now();
    const cached = codeless.get(key);
    if (cached && cached.until > at) return cached.read;
    const read = upstream.request<Hex>("eth_getCode", [address, "latest"]).then((code) => code === "0x" || code === "0x0");
    if (at >= noCacheUntil) {
      codeless.set(key, { until: at + ttl, read });
      read.catch(() => codeless.delete(key));
    }
    return read;
  };

  const estimateGas = (request: TransactionRequest): Promise<Hex> => {
    const { nonce: _nonce, gas: _gas, blobs: _b, commitments: _c, proofs: _p, ...call } = request;
    // Against the latest block, as geth estimates by default (Anvil's default, the pending block, costs it far more).
    return upstream.request<Hex>("eth_estimateGas", [call, "latest"]);
  };

  return {
    async estimate(request) {
      if (transfersCost21000 === false || !isPlainTransfer(request)) return estimateGas(request);
      if (!(await hasNoCode(request.to as Hex))) return estimateGas(request);
      if (transfersCost21000) return TRANSFER_GAS;
      const gas = await estimateGas(request);
      transfersCost21000 = BigInt(gas) === 21_000n;
      return gas;
    },
    forget() {
      codeless.clear();
      noCacheUntil = now() + ttl;
    },
  };
}

/** A value transfer that runs no code of its own: a recipient, no data, no access list, no authorizations, no blobs. */
function isPlainTransfer(request: TransactionRequest): boolean {
  const empty = (data: unknown) => data === undefined || data === "0x";
  return typeof request.to === "string"
    && empty(request.data) && empty(request.input)
    && request.accessList === undefined && request.authorizationList === undefined && request.blobVersionedHashes === undefined
    && (request.type === undefined || /^0x0*[02]$/i.test(String(request.type)));
}
