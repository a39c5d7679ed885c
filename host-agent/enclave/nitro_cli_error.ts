import { BaseError } from "../../signer/mod.ts";

/**
 * `nitro-cli` failed or printed something unexpected. `nitroCode` is its documented error code (`E26`, `E39`…)
 * when it printed one (`[ E26 ] Insufficient memory requested…`); the message is its first line.
 */
export class NitroCliError extends BaseError {
  override readonly name = "HostAgent.NitroCliError";
  readonly nitroCode: string | undefined;
  constructor(message: string, options: { nitroCode?: string; cause?: unknown; details?: string } = {}) {
    super("NITRO_CLI_FAILED", message, options);
    this.nitroCode = options.nitroCode;
  }
}
