import { type Hex, isAddress } from "viem";

/**
 * The JSON-RPC methods that make the signer sign or send (the list, as the proxy answers them): each
 * one waits for a verified attestation. Every other method (reads, `eth_sendRawTransaction` of a transaction
 * signed elsewhere) goes through untouched.
 */
export const SIGNING_METHODS: ReadonlySet<string> = new Set([
  "eth_sendTransaction",
  "wallet_sendTransaction",
  "eth_signTransaction",
  "personal_sign",
  "eth_sign",
  "eth_signTypedData_v4",
]);

/**
 * The account a signing request asks to sign with (lowercase), or `undefined` when the request names none (the
 * proxy then uses its only account) or `method` does not sign. Positions as the proxy reads them:
 * `personal_sign [message, address]` (swapped when unambiguous), `eth_sign [address, data]`,
 * `eth_signTypedData_v4 [address, typedData]`, the transaction methods `[{ from, … }]`.
 *
 * @example
 * ```ts
 * signingAccount("personal_sign", ["0x68656c6c6f", "0xAb…"]); // "0xab…"
 * ```
 */
export function signingAccount(method: string, params: readonly unknown[] | undefined): Hex | undefined {
  const p = params ?? [];
  let account: unknown;
  switch (method) {
    case "eth_sendTransaction":
    case "wallet_sendTransaction":
    case "eth_signTransaction":
      account = typeof p[0] === "object" && p[0] !== null ? (p[0] as { from?: unknown }).from : undefined;
      break;
    case "personal_sign":
      account = typeof p[1] === "string" && !isAddress(p[1], { strict: false }) && isAddress(String(p[0]), { strict: false }) ? p[0] : p[1];
      break;
    case "eth_sign":
    case "eth_signTypedData_v4":
      account = p[0];
      break;
    default:
      return undefined;
  }
  return typeof account === "string" && isAddress(account, { strict: false }) ? (account.toLowerCase() as Hex) : undefined;
}
