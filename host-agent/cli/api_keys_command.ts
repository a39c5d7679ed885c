import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { parseArgs } from "node:util";
import { parseApiKeys } from "../../rpc-proxy/mod.ts";
import type { HostContext } from "../config/host_context.ts";

export const API_KEYS_USAGE = `host-agent api-keys fetch [options]

  Reads the rpc-proxy's API keys from their Secrets Manager secret and writes them, checked, to the file the
  rpc-proxy reads (--api-keys). The secret holds the file's JSON with hashes only:
  [{ "name": "…", "keySha256": "<hex>", "accounts": ["0x…" | "*"], "methods": ["read", …] }]
  A secret holding [] gives a proxy that refuses every JSON-RPC request (401) until a key is added.
  Without a secret id and a file (a deployment made with allowUnauthenticated), it writes nothing.

Options:
  --secret-id ID    the secret's ARN or name [API_KEYS_SECRET_ID]
  --out FILE        where the rpc-proxy reads its keys [API_KEYS_FILE]
  --state-dir DIR   the local stack's state directory (its Secrets Manager stand-in); on an instance the
                    environment is used (AWS_REGION, the instance role)
  --json            print JSON
`;

export type ApiKeysCommandIo = {
  env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Replaces `path` whole (write aside, then rename), readable by its owner only. */
  writeFileAtomic(path: string, text: string): Promise<void>;
  openContext(options: { stateDir?: string }): Promise<HostContext>;
};

/**
 * `host-agent api-keys fetch`: the rpc-proxy's unit runs it before the proxy starts (ExecStartPre), so a
 * deployment's proxy always starts with the keys in its secret, and never without authentication by accident.
 * Returns the exit code: 0 done, 1 failed (the secret could not be read or is not a valid keys file), 2 bad usage.
 *
 * @example
 * ```ts
 * process.exitCode = await runApiKeysCommand(["fetch"], io);
 * ```
 */
export async function runApiKeysCommand(args: string[], io: ApiKeysCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: { "secret-id": { type: "string" }, out: { type: "string" }, "state-dir": { type: "string" }, json: { type: "boolean" }, help: { type: "boolean" } },
    });
  } catch (error) {
    io.stderr(`host-agent api-keys: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals[0] === "help") {
    io.stdout(API_KEYS_USAGE);
    return 0;
  }
  if (positionals.length !== 1 || positionals[0] !== "fetch") {
    io.stderr(`host-agent api-keys: expected the command fetch\n${API_KEYS_USAGE}`);
    return 2;
  }
  const secretId = values["secret-id"] ?? io.env.API_KEYS_SECRET_ID;
  const out = values.out ?? io.env.API_KEYS_FILE;
  const report = (fields: Record<string, unknown>, text: string) => io.stdout(values.json ? `${JSON.stringify(fields)}\n` : `${text}\n`);
  if (!secretId && !out) {
    report({ keys: null }, "No API keys secret: the rpc-proxy runs without authentication (allowUnauthenticated)");
    return 0;
  }
  if (!secretId || !out) {
    io.stderr(`host-agent api-keys: give both --secret-id (API_KEYS_SECRET_ID) and --out (API_KEYS_FILE)\n`);
    return 2;
  }

  let context: HostContext | undefined;
  try {
    context = await io.openContext(values["state-dir"] === undefined ? {} : { stateDir: values["state-dir"] });
    const { SecretString } = await context.secrets.send(new GetSecretValueCommand({ SecretId: secretId }));
    const text = checkedKeysFile(SecretString);
    const count = parseApiKeys(JSON.parse(text)).length;
    await io.writeFileAtomic(out, text);
    report(
      { keys: count, file: out },
      count === 0
        ? `Wrote ${out} with no API key: the rpc-proxy refuses every JSON-RPC request until one is added`
        : `Wrote ${out} with ${count} API key${count === 1 ? "" : "s"}`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof TypeError || error instanceof RangeError ? error.message : `cannot read secret ${secretId}: ${(error as Error).name}`;
    io.stderr(`host-agent api-keys: ${message}\n`);
    return 1;
  } finally {
    context?.close();
  }
}

/** The secret's text, if it is a valid keys file that holds no key in plain text. */
function checkedKeysFile(secret: string | undefined): string {
  let json: unknown;
  try {
    json = JSON.parse(secret ?? "");
  } catch {
    throw new TypeError("the API keys secret is not JSON (expected an array of { name, keySha256, accounts, methods })");
  }
  parseApiKeys(json);
  if ((json as Record<string, unknown>[]).some((entry) => "key" in entry)) {
    throw new TypeError('the API keys secret holds a key in plain text: store "keySha256" (its SHA-256 in hex) instead');
  }
  return `${JSON.stringify(json, null, 2)}\n`;
}
