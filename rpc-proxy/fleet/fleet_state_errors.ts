import { BaseError } from "../../signer/mod.ts";

/** Stable codes of the fleet state (docs/fleet-state.md); `toRpcError` maps them. */
export const FleetStateCode = {
  /** The state table could not be read or written (DynamoDB unreachable, throttled, denied, missing table). */
  unavailable: "FLEET_STATE_UNAVAILABLE",
  /** Conditional writes kept losing to other instances past the retry bound. */
  busy: "FLEET_STATE_BUSY",
} as const;

/**
 * The fleet's DynamoDB table could not be used: nothing was signed or leased (no fallback to unshared state).
 * The message names the table and the DynamoDB error's name, never a credential or an endpoint's secrets.
 *
 * @example
 * ```ts
 * throw new FleetStateUnavailableError("nitro-signer-state", "GetItem", error);
 * ```
 */
export class FleetStateUnavailableError extends BaseError {
  override readonly name = "RpcProxy.FleetStateUnavailableError";
  constructor(table: string, operation: string, cause: unknown) {
    const reason = (cause as { name?: string })?.name ?? "Error";
    super(FleetStateCode.unavailable, `Fleet state unavailable: DynamoDB table ${table} (${operation}: ${reason})`, { cause });
  }
}

/**
 * Conditional writes on an item kept losing to other instances (or the signer kept answering that the record is
 * stale) past the retry bound: nothing was signed or leased.
 *
 * @example
 * ```ts
 * throw new FleetStateBusyError("window#0xabc…", 8);
 * ```
 */
export class FleetStateBusyError extends BaseError {
  override readonly name = "RpcProxy.FleetStateBusyError";
  constructor(item: string, attempts: number) {
    super(FleetStateCode.busy, `Fleet state busy: item ${item} kept changing under ${attempts} attempts; try again`);
  }
}
