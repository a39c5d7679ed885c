import { parseArgs } from "node:util";
import { getAddress } from "viem";
import {
  type Hex,
  isHexAddress,
  parsePolicyDocument,
  POLICY_APPROVAL_DOMAIN,
  POLICY_APPROVAL_TYPES,
  policyApprovalTypedData,
  policyDigest,
} from "../../signer/mod.ts";
import type { HostContext } from "../config/host_context.ts";
import { createPolicyRecordStore } from "../policy/policy_record_store.ts";

export const POLICY_USAGE = `host-agent policy <command> [options]

  policy digest FILE          check a policy document (format v1) and print its digest and the EIP-712
                              message each admin signs to approve it (--json: the full typed data, for
                              \`cast wallet sign --data\` or viem's signTypedData)
  policy apply FILE --signature 0x… [--signature 0x…]
                              submit the document with admins' approvals to the signer; only if the signer
                              accepts it (enough admins, sequence above the one in force) is it stored beside
                              the key record, to be put back in force after every signer start
  policy show --account 0x…   the policy in force for the account (or "unrestricted", or none yet), its
                              windows' use, and whether the stored document is the one in force

Options:
  --signature 0x…   apply: an admin's approval, 65 bytes (repeatable)
  --account 0x…     show: the account
  --state-dir DIR   the local stack's state directory (default .local/); on an instance the
                    environment is used instead (SIGNER_ADDRESS, AWS_REGION, SECRET_PREFIX)
  --json            print JSON

The signer checks every approval; the host-agent only carries them. A document is refused whole (unknown
fields, malformed amounts, a notAfter in the past): the message names the field.
`;

export type PolicyCommandIo = {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<Uint8Array>;
  openContext(options: { stateDir?: string }): Promise<HostContext>;
  /** @default Date.now */
  now?: () => number;
};

/** The most bytes of a policy document file (it must fit one Secrets Manager value with its approvals). */
const MAX_DOCUMENT_BYTES = 48 * 1024;

/**
 * `host-agent policy …`: digest, apply and show an account's policy (issue 12). Returns the exit code: 0 done,
 * 1 failed or refused, 2 bad usage.
 *
 * @example
 * ```ts
 * process.exitCode = await runPolicyCommand(["digest", "policy.json", "--json"], io);
 * ```
 */
export async function runPolicyCommand(args: string[], io: PolicyCommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        signature: { type: "string", multiple: true },
        account: { type: "string" },
        "state-dir": { type: "string" },
        json: { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    io.stderr(`policy: ${(error as Error).message}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, file, ...extra] = positionals;
  if (values.help || !command) {
    (values.help ? io.stdout : io.stderr)(POLICY_USAGE);
    return values.help ? 0 : 2;
  }
  const usage = (message: string) => {
    io.stderr(`policy ${command}: ${message}\n`);
    return 2;
  };
  if (!["digest", "apply", "show"].includes(command) || extra.length > 0) return usage(`unknown command ${positionals.join(" ")} (try --help)`);
  if ((command === "show") !== (file === undefined)) return usage(command === "show" ? "takes no FILE (use --account)" : "FILE is required");
  if (values.signature !== undefined && command !== "apply") return usage("--signature goes with apply");
  if (values.account !== undefined && command !== "show") return usage("--account goes with show");
  const print = (value: unknown, text: string) => io.stdout(values.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
  const now = io.now ?? Date.now;

  if (command === "show") {
    if (!isHexAddress(values.account)) return usage("--account must be a 0x address of 20 bytes");
    return show(getAddress(values.account), values, io, print);
  }
  const signatures = values.signature ?? [];
  if (command === "apply") {
    if (signatures.length === 0) return usage("at least one --signature 0x… is required");
    const bad = signatures.find((s) => !/^0x[0-9a-fA-F]{130}$/.test(s));
    if (bad !== undefined) return usage(`--signature ${bad.slice(0, 20)}…: expected 0x and 65 bytes (130 hex digits)`);
  }

  let text: string;
  let checked: { account: Hex; digest: Hex; sequence: number; notAfter: string };
  try {
    text = await readDocument(io, file!);
    checked = checkDocument(text, now());
  } catch (error) {
    io.stderr(`policy ${command} failed: ${(error as Error).message.split("\n")[0]}\n`);
    return 1;
  }
  if (command === "digest") {
    const typedData = approvalTypedDataJson(checked);
    print({ ...checked, typedData }, [
      `digest    ${checked.digest}`,
      `account   ${checked.account}`,
      `sequence  ${checked.sequence}`,
      `notAfter  ${checked.notAfter}`,
      "",
      "Each admin signs this EIP-712 message (see --json for the typed data, e.g. for `cast wallet sign --data`):",
      `  domain        name "${POLICY_APPROVAL_DOMAIN.name}", version "${POLICY_APPROVAL_DOMAIN.version}" (no chainId)`,
      "  type          PolicyApproval(address account,bytes32 policyDigest,uint64 sequence)",
      `  account       ${checked.account}`,
      `  policyDigest  ${checked.digest}`,
      `  sequence      ${checked.sequence}`,
    ].join("\n"));
    return 0;
  }
  return apply(text, signatures as Hex[], values, io, print);
}

/** `policy apply`: the signer decides; only what it accepted is stored. */
async function apply(
  document: string,
  approvals: Hex[],
  values: { "state-dir"?: string },
  io: PolicyCommandIo,
  print: (value: unknown, text: string) => void,
): Promise<number> {
  return withContext(values, io, async (context) => {
    let accepted;
    try {
      accepted = await context.signer.request("policy.apply", { document, approvals });
    } catch (error) {
      io.stderr(`policy apply refused: ${describeError(error)}\n`);
      return 1;
    }
    const address = getAddress(accepted.address);
    try {
      await createPolicyRecordStore(context.secrets, context.prefix).put(address, { version: 1, document, approvals });
    } catch (error) {
      io.stderr(`policy apply failed: the signer put policy ${accepted.digest} in force, but it could not be stored (${describeError(error)}); it will not survive a signer restart: apply it again\n`);
      return 1;
    }
    print({ address, digest: accepted.digest, sequence: accepted.sequence, stored: true }, `${address}  policy #${accepted.sequence} ${accepted.digest} in force and stored`);
    return 0;
  });
}

/** Runs `run` with the host context (the local stack's or the instance's), closing it after; 1 if it cannot be opened. */
async function withContext(
  values: { "state-dir"?: string },
  io: PolicyCommandIo,
  run: (context: HostContext) => Promise<number>,
): Promise<number> {
  let context: HostContext;
  try {
    context = await io.openContext(values["state-dir"] === undefined ? {} : { stateDir: values["state-dir"] });
  } catch (error) {
    io.stderr(`policy: ${(error as Error).message}\n`);
    return 1;
  }
  try {
    return await run(context);
  } finally {
    context.close();
  }
}

/** `policy show`: the signer's view, and whether the stored document is the one in force. */
async function show(
  address: Hex,
  values: { "state-dir"?: string },
  io: PolicyCommandIo,
  print: (value: unknown, text: string) => void,
): Promise<number> {
  return withContext(values, io, async (context) => {
    const [described, stored] = await Promise.all([
      context.signer.request("policy.describe", { address }),
      createPolicyRecordStore(context.secrets, context.prefix).get(address),
    ]);
    const account = described.accounts.find((a) => a.address.toLowerCase() === address.toLowerCase());
    if (!account) throw new Error(`the signer holds no key for ${address}`);
    const storedDigest = stored ? storedDocumentDigest(stored.document) : null;
    const { policy } = account;
    const inForce = policy.kind === "policy" ? policy.digest : null;
    const storedState = !stored ? "none stored" : storedDigest === inForce ? "stored: the one in force" : `stored: ${storedDigest ?? "unreadable"}, NOT the one in force`;
    const lines = [`account   ${account.address}`];
    if (policy.kind === "unrestricted") lines.push("policy    unrestricted (no admins: signs anything well-formed)");
    else {
      lines.push(`admins    ${policy.governance.threshold} of ${policy.governance.admins.length}: ${policy.governance.admins.join(", ")}`);
      if (policy.kind === "none") lines.push("policy    none in force (signs nothing)");
      else lines.push(`policy    #${policy.sequence} ${policy.digest}`, `notAfter  ${policy.notAfter}`);
      for (const w of account.windows ?? []) lines.push(`window    ${w.id}: ${w.count} requests, ${w.value} wei in the last ${w.window} s`);
      lines.push(`stored    ${storedState}`);
    }
    print(
      {
        address: account.address,
        policy,
        ...(account.document === undefined ? {} : { document: account.document }),
        ...(account.windows === undefined ? {} : { windows: account.windows }),
        stored: stored ? { digest: storedDigest, matches: storedDigest !== null && storedDigest === inForce } : null,
      },
      lines.join("\n"),
    );
    return 0;
  }).catch((error) => {
    io.stderr(`policy show failed: ${describeError(error)}\n`);
    return 1;
  });
}

async function readDocument(io: PolicyCommandIo, file: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await io.readFile(file);
  } catch {
    throw new Error(`cannot read ${file}`);
  }
  if (bytes.length > MAX_DOCUMENT_BYTES) throw new Error(`${file} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
}

/** Parses the document as the signer will (so a refusal is seen before any admin signs) and computes its digest. */
function checkDocument(text: string, now: number): { account: Hex; digest: Hex; sequence: number; notAfter: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("the document is not JSON");
  }
  const document = parsePolicyDocument(json, { now });
  const raw = json as { notAfter: string };
  return { account: getAddress(document.account), digest: policyDigest(json), sequence: document.sequence, notAfter: raw.notAfter };
}

/** The approval as JSON typed data: EIP712Domain spelled out (cast wants it), `sequence` a number. */
function approvalTypedDataJson(checked: { account: Hex; digest: Hex; sequence: number }) {
  const typed = policyApprovalTypedData({ account: checked.account, digest: checked.digest, sequence: checked.sequence });
  return {
    types: {
      EIP712Domain: [{ name: "name", type: "string" }, { name: "version", type: "string" }],
      PolicyApproval: POLICY_APPROVAL_TYPES.PolicyApproval.map((f) => ({ ...f })),
    },
    primaryType: typed.primaryType,
    domain: { ...typed.domain },
    message: { account: checked.account, policyDigest: checked.digest, sequence: checked.sequence },
  };
}

function storedDocumentDigest(document: string): Hex | null {
  try {
    return policyDigest(JSON.parse(document));
  } catch {
    return null;
  }
}

function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; name?: string };
  return `${e.code ? `${e.code}: ` : ""}${(e.message ?? String(e.name)).split("\n")[0]}`;
}
