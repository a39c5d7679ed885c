import { parseArgs } from "node:util";
import type { HostContext } from "../config/host_context.ts";
import { createKeyRecordStore } from "../keys/key_record_store.ts";
import { generateKey } from "../keys/generate_key.ts";
import { importKey } from "../keys/import_key.ts";

export const KEYS_USAGE = `host-agent keys <command> [options]

  keys generate [--label L]   make a key inside the signer (KMS-encrypted there), store its record
  keys import [--label L]     read a 0x-hex private key from stdin, seal it to the signer's verified
                              attestation on this side, store its record; the parent never sees it
  keys list                   the records under the prefix and whether the signer serves each

Options:
  --state-dir DIR   the local stack's state directory (default .local/); on an instance the
                    environment is used instead (SIGNER_ADDRESS, AWS_REGION, KMS_KEY_ID, SECRET_PREFIX,
                    EXPECTED_PCR0)
  --pcr N=HEX       expected PCR value of the signer's attestation for import (repeatable)
  --json            print JSON
`;

export type KeysCommandIo = {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  openContext(options: { stateDir?: string }): Promise<HostContext>;
};

/**
 * `host-agent keys …`: generate, import and list keys. Returns the exit code: 0 done, 1 failed, 2 bad usage.
 *
 * @example
 * ```ts
 * process.exitCode = await runKeysCommand(["list", "--json"], io);
 * ```
 */
export async function runKeysCommand(args: string[], io: KeysCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        label: { type: "string" },
        "state-dir": { type: "string" },
        pcr: { type: "string", multiple: true },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    io.stderr(`keys: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || !command) {
    (values.help ? io.stdout : io.stderr)(KEYS_USAGE);
    return values.help ? 0 : 2;
  }
  if (!["generate", "import", "list"].includes(command) || positionals.length > 1) {
    io.stderr(`keys: unknown command ${positionals.join(" ")} (try --help)\n`);
    return 2;
  }
  if (values.label !== undefined && !/^[\w .-]{1,64}$/.test(values.label)) {
    io.stderr("keys: --label must be 1-64 letters, digits, spaces, '.', '_' or '-'\n");
    return 2;
  }
  const pcrs: Record<number, string> = {};
  for (const pcr of values.pcr ?? []) {
    const m = /^(\d{1,2})=([0-9a-fA-F]{96})$/.exec(pcr);
    if (!m) {
      io.stderr(`keys: invalid --pcr ${pcr}: expected N=<96 hex digits>\n`);
      return 2;
    }
    pcrs[Number(m[1])] = m[2]!;
  }

  let context: HostContext;
  try {
    context = await io.openContext(values["state-dir"] === undefined ? {} : { stateDir: values["state-dir"] });
  } catch (error) {
    io.stderr(`keys: ${(error as Error).message}\n`);
    return 1;
  }
  const print = (value: unknown, text: string) => io.stdout(values.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
  try {
    const label = values.label === undefined ? {} : { label: values.label };
    if (command === "list") {
      const [{ records, failed }, served] = await Promise.all([
        createKeyRecordStore(context.secrets, context.prefix).list(),
        context.signer.request("keys.list", {}),
      ]);
      const servedSet = new Set(served.map((a) => a.address.toLowerCase()));
      const keys = records.map((r) => ({ address: r.address, label: r.label ?? null, createdAt: r.createdAt, kmsKeyId: r.kmsKeyId, loaded: servedSet.has(r.address.toLowerCase()) }));
      print({ keys, failed }, keys.map((k) => `${k.address}  ${k.loaded ? "loaded" : "not loaded"}  ${k.label ?? ""}`).join("\n") || "no keys");
      return failed.length > 0 ? 1 : 0;
    }
    if (!context.kmsKeyId) throw new Error("No KMS key configured (KMS_KEY_ID)");
    const deps = { signer: context.signer, secrets: context.secrets, prefix: context.prefix, kmsKeyId: context.kmsKeyId };
    if (command === "generate") {
      const { address } = await generateKey(deps, label);
      print({ address }, address);
      return 0;
    }
    const input = (await io.readStdin()).trim();
    const verify = { ...context.verify, ...(Object.keys(pcrs).length > 0 ? { pcrs } : {}) };
    const { address } = await importKey(deps, input, { ...label, verify });
    print({ address }, address);
    return 0;
  } catch (error) {
    const e = error as { code?: string; message: string };
    io.stderr(`keys ${command} failed: ${e.code ? `${e.code}: ` : ""}${e.message.split("\n")[0]}\n`);
    return 1;
  } finally {
    context.close();
  }
}
