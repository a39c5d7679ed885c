import {
  type Hex,
  isAddress,
  isHex,
  recoverMessageAddress,
  recoverTransactionAddress,
  recoverTypedDataAddress,
  type TransactionSerialized,
} from "viem";
import { AttestationError } from "./attestation_error.ts";

/**
 * Checks what a signing request answered: a `personal_sign` / `eth_sign` signature must recover (EIP-191) to
 * the account asked to sign, an `eth_signTypedData_v4` one (EIP-712) too, and the sender of the raw transaction
 * `eth_signTransaction` returns (EIP-155 / EIP-2718) must be that account. Otherwise `AttestationError` code
 * `signature`: the answer was not made by the attested signer for this request (a middlebox swapped it).
 * `eth_sendTransaction` answers a hash, whose sender the chain shows; nothing is recovered from it here.
 * `expected`: the account the request named (lowercase); without one, any of `accounts` (lowercase, attested).
 *
 * @example
 * ```ts
 * await checkSignedResult("personal_sign", ["0x68656c6c6f", from], signature, from.toLowerCase(), verified.accounts);
 * ```
 */
export async function checkSignedResult(method: string, params: readonly unknown[], result: unknown, expected: Hex | undefined, accounts: readonly Hex[]): Promise<void> {
  let recovered: Hex;
  try {
    switch (method) {
      case "personal_sign": {
        const [first, second] = params;
        const message = typeof second === "string" && !isAddress(second, { strict: false }) && isAddress(String(first), { strict: false }) ? second : first;
        recovered = await recoverMessageAddress({ message: messageOf(message), signature: signatureOf(result) });
        break;
      }
      case "eth_sign":
        recovered = await recoverMessageAddress({ message: messageOf(params[1]), signature: signatureOf(result) });
        break;
      case "eth_signTypedData_v4": {
        const typed = typeof params[1] === "string" ? JSON.parse(params[1]) : params[1];
        recovered = await recoverTypedDataAddress({ ...typed, signature: signatureOf(result) });
        break;
      }
      case "eth_signTransaction": {
        if (typeof result !== "string" || !isHex(result)) throw new TypeError("not a raw transaction");
        recovered = await recoverTransactionAddress({ serializedTransaction: result as TransactionSerialized });
        break;
      }
      default:
        return;
    }
  } catch (cause) {
    throw new AttestationError("signature", `Cannot recover the signer of the ${method} answer`, { cause });
  }
  const who = recovered.toLowerCase() as Hex;
  if (expected ? who !== expected : !accounts.includes(who)) {
    throw new AttestationError("signature", `The ${method} answer was signed by ${recovered}, not by ${expected ?? "an attested account"}`);
  }
}

function messageOf(value: unknown): string | { raw: Hex } {
  if (typeof value !== "string") throw new TypeError("no message");
  return /^0x([0-9a-fA-F]{2})*$/.test(value) ? { raw: value as Hex } : value;
}

function signatureOf(value: unknown): Hex {
  if (typeof value !== "string" || !/^0x[0-9a-fA-F]{130}$/.test(value)) throw new TypeError("not a 65-byte signature");
  return value as Hex;
}
