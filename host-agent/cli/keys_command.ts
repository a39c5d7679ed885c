import { parseArgs } from "node:util";
import { hexToBytes } from "viem";
import { base64ToBytes, bytesToBase64, parsePcrArgument } from "../../common/mod.ts";
import { type GovernanceParams, parseGovernance } from "../../signer/mod.ts";
import type { HostContext } from "../config/host_context.ts";
import { createKeyRecordStore } from "../keys/key_record_store.ts";
import { generateKey } from "../keys/generate_key.ts";
import { importKey, importSealedKey } from "../keys/import_key.ts";
import { sealKey } from "../keys/seal_key.ts";
import { readDocumentAndRoots } from "./attestation_command.ts";

export const KEYS_USAGE = `host-agent keys <command> [options]

  keys generate [--label L] [--admin ADDRESS … [--threshold N]]
                              make a key inside the signer (KMS-encrypted there), store its record
  keys import [--label L] [--admin ADDRESS … [--threshold N]]
                              read a 0x-hex private key from stdin, seal it to the signer's verified
                              attestation in this process, store its record (this process sees the key)
  keys import --sealed [--label L] [--admin ADDRESS … [--threshold N]]
                              read a key sealed with \`keys seal\` (base64) from stdin and import it: the
                              parent only handles the sealed bytes
  keys seal --attestation FILE --nonce HEX --pcr 0=HEX [--root PEMFILE]
                              on any machine: read a 0x-hex private key from stdin, verify the attestation
                              document (one signer's, asked with that nonce), print the key sealed to it
  keys list                   the records under the prefix, whether the signer serves each, and its
                              governance ("unrestricted", or threshold of admins) and policy

Options:
  --state-dir DIR   the local stack's state directory (default .local/); on an instance the
                    environment is used instead (SIGNER_ADDRESS, AWS_REGION, KMS_KEY_ID, SECRET_PREFIX,
                    EXPECTED_PCR0)
  --pcr N=HEX       expected PCR value of the signer's attestation for import and seal (repeatable)
  --attestation FILE  seal: the signer's attestation document (raw or base64, e.g. signer_attestation's)
  --nonce HEX       seal: the nonce the document was asked with
  --root PEMFILE    seal: trust this root instead of the AWS Nitro root (repeatable)
  --sealed          import: stdin holds a sealed key
  --admin ADDRESS   generate, import: an admin of the key (repeatable, 1-16): its policy takes approvals
                    (EIP-712 signatures) from --threshold of them; sealed with the key, never changeable.
                    Without --admin the key is unrestricted: it signs anything well-formed
  --threshold N     generate, import: approvals a policy needs (default: all admins)
  --json            print JSON

A sealed key opens only in the signer that made the attestation, while it runs: get the document from the
instance you will import on (its rpc-proxy's signer_attestation), seal, then import there.
`;

export type KeysCommandIo = {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  readFile(path: string): Promise<Uint8Array>;
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
        attestation: { type: "string" },
        nonce: { type: "string" },
        root: { type: "string", multiple: true },
        sealed: { type: "boolean" },
        admin: { type: "string", multiple: true },
        threshold: { type: "string" },
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
  if (!["generate", "import", "seal", "list"].includes(command) || positionals.length > 1) {
    io.stderr(`keys: unknown command ${positionals.join(" ")} (try --help)\n`);
    return 2;
  }
  if (values.label !== undefined && !/^[\w .-]{1,64}$/.test(values.label)) {
    io.stderr("keys: --label must be 1-64 letters, digits, spaces, '.', '_' or '-'\n");
    return 2;
  }
  const pcrs: Record<number, string> = {};
  for (const pcr of values.pcr ?? []) {
    try {
      const { index, hex } = parsePcrArgument(pcr);
      pcrs[index] = hex;
    } catch (error) {
      io.stderr(`keys: ${(error as Error).message}\n`);
      return 2;
    }
  }
  let governance: GovernanceParams | undefined;
  try {
    governance = governanceOption(values.admin ?? [], values.threshold);
  } catch (error) {
    io.stderr(`keys: ${(error as Error).message}\n`);
    return 2;
  }
  if (governance && command !== "generate" && command !== "import") {
    io.stderr("keys: --admin and --threshold go with generate and import\n");
    return 2;
  }
  const print = (value: unknown, text: string) => io.stdout(values.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
  if (command === "seal") return seal(values, pcrs, io, print);

  let context: HostContext;
  try {
    context = await io.openContext(values["state-dir"] === undefined ? {} : { stateDir: values["state-dir"] });
  } catch (error) {
    io.stderr(`keys: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    const label = { ...(values.label === undefined ? {} : { label: values.label }), ...(governance ? { governance } : {}) };
    if (command === "list") {
      const [{ records, failed }, served] = await Promise.all([
        createKeyRecordStore(context.secrets, context.prefix).list(),
        context.signer.request("keys.list", {}),
      ]);
      const servedBy = new Map(served.map((a) => [a.address.toLowerCase(), a]));
      const keys = records.map((r) => {
        const account = servedBy.get(r.address.toLowerCase());
        return {
          address: r.address,
          label: r.label ?? null,
          createdAt: r.createdAt,
          kmsKeyId: r.kmsKeyId,
          loaded: account !== undefined,
          governance: r.governance ?? null,
          policy: account?.policy ?? null,
        };
      });
      print({ keys, failed }, keys.map((k) => [k.address, k.loaded ? "loaded" : "not loaded", describeGovernance(k.governance), describePolicy(k.policy), k.label ?? ""].filter(Boolean).join("  ")).join("\n") || "no keys");
      return failed.length > 0 ? 1 : 0;
    }
    if (!context.kmsKeyId) throw new Error("No KMS key configured (KMS_KEY_ID)");
    const deps = { signer: context.signer, secrets: context.secrets, prefix: context.prefix, kmsKeyId: context.kmsKeyId };
    const printKey = (key: { address: string; governance?: GovernanceParams }) =>
      print({ address: key.address, governance: key.governance ?? null }, key.governance ? `${key.address}  ${describeGovernance(key.governance)}` : key.address);
    if (command === "generate") {
      printKey(await generateKey(deps, label));
      return 0;
    }
    const input = (await io.readStdin()).trim();
    if (values.sealed) {
      const sealed = base64ToBytes(input);
      if (!sealed) throw new TypeError("Cannot import key: --sealed expects the base64 that keys seal printed");
      printKey(await importSealedKey(deps, sealed, label));
      return 0;
    }
    const verify = { ...context.verify, ...(Object.keys(pcrs).length > 0 ? { pcrs } : {}) };
    printKey(await importKey(deps, input, { ...label, verify }));
    return 0;
  } catch (error) {
    const e = error as { code?: string; message: string };
    io.stderr(`keys ${command} failed: ${e.code ? `${e.code}: ` : ""}${e.message.split("\n")[0]}\n`);
    return 1;
  } finally {
    context.close();
  }
}

/** `--admin` (repeatable) and `--threshold` (default: all admins) as the signer takes them; throws a one-line Error. */
function governanceOption(admins: string[], threshold: string | undefined): GovernanceParams | undefined {
  if (admins.length === 0) {
    if (threshold !== undefined) throw new Error("--threshold needs --admin");
    return undefined;
  }
  if (threshold !== undefined && !/^[1-9][0-9]?$/.test(threshold)) throw new Error("--threshold must be a whole number from 1 to the number of admins");
  try {
    return parseGovernance({ admins, threshold: threshold === undefined ? admins.length : Number(threshold) });
  } catch (error) {
    const field = (error as { field?: string }).field ?? "";
    const admin = /admins\[(\d+)\]/.exec(field);
    if (admin) throw new Error(`--admin ${admins[Number(admin[1])]}: ${/duplicate/.test((error as Error).message) ? "given twice" : "expected a 0x address of 20 bytes"}`);
    if (field.endsWith("threshold")) throw new Error(`--threshold must be from 1 to ${admins.length} (the number of admins)`);
    throw new Error(`--admin: between 1 and 16 admins`);
  }
}

/** "unrestricted", or "2 of 3 admins: 0x…, 0x…". */
function describeGovernance(governance: GovernanceParams | null | undefined): string {
  return governance ? `${governance.threshold} of ${governance.admins.length} admins: ${governance.admins.join(", ")}` : "unrestricted";
}

/** The signer's policy for a loaded governed key: "no policy" or "policy #seq 0xdigest…". Empty otherwise. */
function describePolicy(policy: { kind: string; sequence?: number; digest?: string } | null): string {
  if (policy?.kind === "none") return "no policy (signs nothing)";
  if (policy?.kind === "policy") return `policy #${policy.sequence} ${policy.digest}`;
  return "";
}

/** `keys seal`: needs no AWS and no signer connection, only the document, the nonce and the expected PCRs. */
async function seal(
  values: { attestation?: string; nonce?: string; root?: string[] },
  pcrs: Record<number, string>,
  io: KeysCommandIo,
  print: (value: unknown, text: string) => void,
): Promise<number> {
  if (!values.attestation || !values.nonce || pcrs[0] === undefined) {
    io.stderr("keys seal: --attestation FILE, --nonce HEX and --pcr 0=HEX are required\n");
    return 2;
  }
  if (!/^(0x)?([0-9a-fA-F]{2}){1,512}$/.test(values.nonce)) {
    io.stderr("keys seal: --nonce must be hex\n");
    return 2;
  }
  let document: Uint8Array;
  let roots: string[];
  try {
    ({ document, roots } = await readDocumentAndRoots(io, values.attestation, values.root ?? []));
  } catch (error) {
    io.stderr(`keys seal: ${(error as Error).message.split("\n")[0]}\n`);
    return 2;
  }
  try {
    const nonce = hexToBytes(values.nonce.startsWith("0x") ? (values.nonce as `0x${string}`) : `0x${values.nonce}`);
    const { sealed, address } = await sealKey(document, await io.readStdin(), { nonce, pcrs, ...(roots.length > 0 ? { roots } : {}) });
    const text = bytesToBase64(sealed);
    print({ sealed: text, address }, text);
    return 0;
  } catch (error) {
    const e = error as { code?: string; message: string };
    io.stderr(`keys seal failed: ${e.code ? `${e.code}: ` : ""}${e.message.split("\n")[0]}\n`);
    return 1;
  }
}
