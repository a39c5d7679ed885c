import { ensureLocalCredentials } from "./ensure_local_credentials_node.ts";
import type { LocalCredential } from "./local_credential.ts";

/**
 * The credentials a local stand-in accepts, as a provider read on every request: the explicit list or
 * provider if given, else the host and admin keys of `stateDir/credentials.json` (created on first use).
 *
 * @example
 * ```ts
 * const credentials = await resolveLocalCredentials(stateDir, options.credentials);
 * ```
 */
export async function resolveLocalCredentials(
  stateDir: string,
  credentials: readonly LocalCredential[] | (() => readonly LocalCredential[]) | undefined,
): Promise<() => readonly LocalCredential[]> {
  if (typeof credentials === "function") return credentials;
  if (credentials) return () => credentials;
  const { host, admin } = await ensureLocalCredentials(stateDir);
  return () => [host, admin];
}
