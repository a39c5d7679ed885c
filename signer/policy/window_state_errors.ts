import type { Hex } from "../protocol/messages.ts";
import { BaseError } from "../protocol/base_error.ts";
import { ErrorCode } from "../protocol/error_codes.ts";

/**
 * Fleet windows (docs/fleet-state.md): the account's policy has limits and the request carried no `window`
 * (stable code WINDOW_STATE_REQUIRED, `data.address`). The caller reads the account's item and asks again.
 *
 * @example
 * ```ts
 * if (params.window === undefined) throw new WindowStateRequiredError(address);
 * ```
 */
export class WindowStateRequiredError extends BaseError {
  override readonly name = "Signer.WindowStateRequiredError";
  constructor(address: Hex) {
    const account = address.toLowerCase();
    super(ErrorCode.windowStateRequired, `Window state required: ${account} has limits and this signer keeps them in the fleet's table`, {
      data: { address: account },
    });
  }
}

/**
 * Fleet windows: the presented record is malformed, names another account, or its MAC is not this account's key's
 * (stable code WINDOW_STATE_INVALID, `data.address`, `data.reason`). A forged or corrupted record.
 *
 * @example
 * ```ts
 * throw new WindowStateInvalidError(address, "the tag does not verify");
 * ```
 */
export class WindowStateInvalidError extends BaseError {
  override readonly name = "Signer.WindowStateInvalidError";
  readonly reason: string;
  constructor(address: Hex, reason: string) {
    const account = address.toLowerCase();
    super(ErrorCode.windowStateInvalid, `Invalid window record for ${account}: ${reason}`, { data: { address: account, reason } });
    this.reason = reason;
  }
}

/**
 * Fleet windows: the presented record (`version`, 0 for none) is older than the newest this signer issued or
 * accepted for the account (`newest`), which still has unexpired entries (stable code WINDOW_STATE_STALE). `data`
 * also carries that newest `record` and its `expiresAt`, which the caller may store with a conditional write.
 *
 * @example
 * ```ts
 * throw new WindowStateStaleError(address, { version: 3, newest: 5, record, expiresAt });
 * ```
 */
export class WindowStateStaleError extends BaseError {
  override readonly name = "Signer.WindowStateStaleError";
  constructor(address: Hex, state: { version: number; newest: number; record: Uint8Array; expiresAt: number }) {
    const account = address.toLowerCase();
    super(ErrorCode.windowStateStale, `Stale window record for ${account}: version ${state.version} is older than ${state.newest}, whose entries have not expired`, {
      data: { address: account, version: state.version, newest: state.newest, record: state.record, expiresAt: state.expiresAt },
    });
  }
}
