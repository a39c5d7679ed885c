import { hashTypedData, type TypedDataDefinition } from "viem";
import type { Hex } from "../protocol/messages.ts";
import { InvalidParamsError } from "../protocol/params/invalid_params_error.ts";

/**
 * The EIP-712 digest of typed data, by viem's `hashTypedData`, which checks every value against its type
 * (addresses, byte lengths, integer ranges); InvalidParamsError on field "typedData", with the message
 * `signTypedData` gives, when it cannot be encoded. Run by the policy checks of `sign.typedData` before they
 * decide, so that a dry run (`policy.check`) and a governed key refuse what signing would refuse.
 *
 * @example
 * ```ts
 * typedDataDigest(parseTypedData(json).typedData); // throws InvalidParamsError for { to: "0x1234" } as an address
 * ```
 */
export function typedDataDigest(typedData: TypedDataDefinition): Hex {
  try {
    return hashTypedData(typedData);
  } catch (error) {
    const reason = error instanceof Error ? ((error as { shortMessage?: string }).shortMessage ?? error.message) : "cannot be hashed";
    throw new InvalidParamsError("typedData", `cannot be encoded (EIP-712): ${reason.split("\n")[0]!.slice(0, 200)}`);
  }
}
