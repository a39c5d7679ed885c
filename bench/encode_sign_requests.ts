import type { Hex } from "viem";
import { encodeFrame } from "../signer/mod.ts";
import { BENCH_TRANSFER } from "./measure_raw_sign.ts";

/** The bench transfer in JSON-RPC form (hex quantities), as the proxy forwards it to the signer. */
export function benchTransferParams(nonce: number): Record<string, string> {
  const { chainId, gas, maxFeePerGas, maxPriorityFeePerGas, to, value } = BENCH_TRANSFER;
  const hex = (n: number | bigint) => `0x${n.toString(16)}`;
  return { type: "0x2", chainId: hex(chainId), nonce: hex(nonce), gas: hex(gas), maxFeePerGas: hex(maxFeePerGas), maxPriorityFeePerGas: hex(maxPriorityFeePerGas), to, value: hex(value) };
}

/**
 * `count` distinct `sign.transaction` frames of the bench transfer (nonce = id = index), encoded ahead of a
 * run so the load generator spends no time encoding.
 *
 * @example
 * ```ts
 * const frames = encodeSignRequests(account, 4096);
 * socket.write(frames[0]);
 * ```
 */
export function encodeSignRequests(account: Hex, count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, id) =>
    encodeFrame({ id, method: "sign.transaction", params: { address: account, transaction: benchTransferParams(id) } }));
}
