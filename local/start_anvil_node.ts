import { binaryPath } from "./binaries_node.ts";
import { spawnService, type Service } from "./spawn_service_node.ts";

/** Anvil's first dev account (mnemonic "test test … junk"), unlocked on every Anvil node. */
export const ANVIL_DEV_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

/**
 * How the local stack's Anvil mines: at once when a transaction arrives and also every second. Automine alone is
 * known to leave ready transactions unmined (foundry-rs/foundry#10122, where the reporters' workaround is mixed or
 * interval mining); the block every second picks them up.
 */
export const ANVIL_MIXED_MINING = ["--block-time", "1", "--mixed-mining"] as const;

/**
 * Starts a real Anvil node on a free loopback port and resolves with its URL once it listens.
 *
 * @example
 * ```ts
 * const anvil = await startAnvil();
 * // … anvil.url …
 * await anvil.service.stop();
 * ```
 */
export async function startAnvil(options: { host?: string; args?: string[] } = {}): Promise<{ url: string; service: Service }> {
  const host = options.host ?? "127.0.0.1";
  const { service, value } = await spawnService("anvil", binaryPath("anvil"), ["--host", host, "--port", "0", ...(options.args ?? [])], {
    ready: (line) => /Listening on (\S+)/.exec(line)?.[1],
  });
  return { url: `http://${value}`, service };
}
