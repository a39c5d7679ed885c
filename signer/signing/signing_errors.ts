import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/** A transaction without a chain id would be replayable on every chain (EIP-155); the signer refuses it. */
export class MissingChainIdError extends BaseError {
  override readonly name = "Signer.MissingChainIdError";
  constructor() {
    super(ErrorCode.missingChainId, "Cannot sign transaction: chainId is required (EIP-155 replay protection)");
  }
}

/** The signer holds no key for the address. */
export class UnknownAccountError extends BaseError {
  override readonly name = "Signer.UnknownAccountError";
  constructor(address: string) {
    super(ErrorCode.unknownAccount, `Unknown account ${address}: the signer holds no key for it`, { data: { address } });
  }
}
