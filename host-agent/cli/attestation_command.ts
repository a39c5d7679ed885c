import { bytesToHex, hexToBytes } from "viem";
import { accountsDigest, AttestationError, isHexAddress, verifyAttestationDocument } from "../../signer/mod.ts";
import { parsePcrArgument } from "../../common/mod.ts";

export const ATTESTATION_USAGE = `host-agent attestation verify <file> [options]

  Verifies a Nitro Enclaves attestation document (COSE_Sign1, ES384) against the AWS Nitro root G1
  (or --root) and prints its fields as JSON. <file> holds the document as raw bytes or base64.

Options:
  --root PEMFILE    trust this root instead of the AWS Nitro root (repeatable; e.g. the local stack's
                    simulated root, .local/pki/root.pem)
  --at ISO-TIME     verify as of this time (ISO 8601 or ms since the epoch; default now)
  --pcr N=HEX       require PCR N to equal HEX (repeatable)
  --nonce HEX       require this nonce
  --user-data HEX   require this user_data
  --accounts LIST   require user_data to be the signer's accounts digest of these comma-separated addresses,
                    e.g. eth_accounts' answer: SHA-256 of one line "<lowercase address> <policy>" per account,
                    sorted, joined with "\\n", where <policy> is unrestricted, none (governed, no policy in
                    force) or the policy's 0x digest (--policy; an account without one counts as unrestricted)
  --policy ADDRESS=DIGEST
                    with --accounts: require ADDRESS (one of them) to be governed by the policy with this 0x
                    digest, or "none" (repeatable); passes only if the document binds exactly these policies
  --max-age SECONDS require the document to be at most this old (at --at)
  --json            print failures as JSON too
  --help            this text

Exit codes: 0 verified, 1 rejected (prints "attestation verification failed: <check>: <reason>"), 2 bad usage.
`;

/** What the command needs from its runtime. */
export type AttestationCommandIo = {
  stdout(s: string): void;
  stderr(s: string): void;
  readFile(path: string): Promise<Uint8Array>;
};

type Parsed = {
  file: string;
  roots: string[];
  at?: number;
  pcrs: Record<number, string>;
  nonce?: Uint8Array;
  userData?: Uint8Array;
  accounts?: string[];
  /** Lowercase address → "none" or a 0x digest. */
  policies: Record<string, string>;
  maxAgeMs?: number;
  json: boolean;
};

class UsageError extends Error {}

/** PCRs always shown: image, kernel, application, parent role, parent instance, signing certificate. */
const SHOWN_PCRS = [0, 1, 2, 3, 4, 8];

/**
 * `host-agent attestation verify <file> [--root PEMFILE] [--at ISO-TIME] [--pcr N=HEX …] [--nonce HEX] [--json]`.
 * Prints `{ moduleId, timestamp, pcrs, publicKey, userData, nonce }` (bytes as hex; PCRs 0–4, 8 and any other
 * non-zero one) and returns 0 when the document verifies, 1 when it does not, 2 on bad usage.
 * Runtime-neutral: files come through `io.readFile`.
 *
 * @example
 * ```ts
 * const code = await runAttestationCommand(["verify", "doc.b64", "--at", "2025-04-01T14:16:10Z"], io);
 * ```
 */
export async function runAttestationCommand(args: string[], io: AttestationCommandIo): Promise<number> {
  if (args.includes("--help") || args[0] === "help") {
    io.stdout(ATTESTATION_USAGE);
    return 0;
  }
  let parsed: Parsed;
  try {
    parsed = parse(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`attestation: ${error.message} (see host-agent attestation --help)\n`);
    return 2;
  }

  let document: Uint8Array;
  let roots: string[];
  try {
    ({ document, roots } = await readDocumentAndRoots(io, parsed.file, parsed.roots));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`attestation: ${error.message}\n`);
    return 2;
  }

  try {
    const userData = parsed.accounts
      ? await accountsDigest(parsed.accounts.map((address) => ({ address, policy: parsed.policies[address.toLowerCase()] ?? "unrestricted" })))
      : parsed.userData;
    const result = await verifyAttestationDocument(document, {
      ...(roots.length > 0 ? { roots } : {}),
      ...(parsed.at !== undefined ? { at: parsed.at } : {}),
      expect: {
        pcrs: parsed.pcrs,
        ...(parsed.nonce ? { nonce: parsed.nonce } : {}),
        ...(userData ? { userData } : {}),
        ...(parsed.maxAgeMs !== undefined ? { maxAgeMs: parsed.maxAgeMs } : {}),
      },
    });
    const pcrs: Record<string, string> = {};
    for (const [index, value] of Object.entries(result.pcrs)) {
      if (SHOWN_PCRS.includes(Number(index)) || value.some((b) => b !== 0)) pcrs[index] = hex(value);
    }
    const output = {
      moduleId: result.moduleId,
      timestamp: new Date(result.timestamp).toISOString(),
      pcrs,
      publicKey: result.publicKey ? hex(result.publicKey) : null,
      userData: result.userData ? hex(result.userData) : null,
      nonce: result.nonce ? hex(result.nonce) : null,
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (error instanceof AttestationError) {
      if (parsed.json) io.stdout(`${JSON.stringify({ verified: false, check: error.check, message: error.reason })}\n`);
      else io.stderr(`attestation verification failed: ${error.check}: ${error.reason}\n`);
      return 1;
    }
    if (error instanceof TypeError || error instanceof RangeError) {
      io.stderr(`attestation: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function parse(args: string[]): Parsed {
  const [subcommand, ...rest] = args;
  if (subcommand !== "verify") throw new UsageError(subcommand ? `unknown subcommand ${subcommand}` : "missing subcommand verify");
  const parsed: Parsed = { file: "", roots: [], pcrs: {}, policies: {}, json: false };
  const files: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? splitOnce(arg) : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = rest[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--root":
        parsed.roots.push(value());
        break;
      case "--at": {
        const text = value();
        const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
        if (!Number.isFinite(ms)) throw new UsageError(`--at ${text} is not an ISO time`);
        parsed.at = ms;
        break;
      }
      case "--pcr": {
        let pcr;
        try {
          pcr = parsePcrArgument(value(), [32, 48, 64]);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        parsed.pcrs[pcr.index] = pcr.hex;
        break;
      }
      case "--nonce":
        parsed.nonce = hexArgument(value(), "--nonce");
        break;
      case "--user-data":
        parsed.userData = hexArgument(value(), "--user-data");
        break;
      case "--accounts": {
        const text = value();
        const accounts = text.split(",").map((a) => a.trim()).filter((a) => a !== "");
        if (accounts.length === 0 || !accounts.every(isHexAddress)) {
          throw new UsageError(`--accounts ${text} must be comma-separated 0x addresses`);
        }
        parsed.accounts = accounts;
        break;
      }
      case "--policy": {
        const text = value();
        const m = /^(0x[0-9a-fA-F]{40})=(none|0x[0-9a-fA-F]{64})$/.exec(text);
        if (!m) throw new UsageError(`--policy ${text} must be ADDRESS=DIGEST (a 0x address, then a 0x 32-byte digest or none)`);
        parsed.policies[m[1]!.toLowerCase()] = m[2]!.toLowerCase();
        break;
      }
      case "--max-age": {
        const text = value();
        if (!/^\d{1,9}$/.test(text)) throw new UsageError(`--max-age ${text} must be a number of seconds`);
        parsed.maxAgeMs = Number(text) * 1000;
        break;
      }
      case "--json":
        if (inline !== undefined) throw new UsageError("--json takes no value");
        parsed.json = true;
        break;
      default:
        if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
        files.push(arg);
    }
  }
  if (files.length !== 1) throw new UsageError(files.length === 0 ? "missing <file>" : "expected one <file>");
  if (parsed.accounts && parsed.userData) throw new UsageError("--accounts and --user-data both set user_data: give one");
  const listed = new Set(parsed.accounts?.map((a) => a.toLowerCase()));
  for (const address of Object.keys(parsed.policies)) {
    if (!listed.has(address)) throw new UsageError(`--policy ${address}=… needs that address in --accounts (the digest covers every account)`);
  }
  parsed.file = files[0]!;
  return parsed;
}

function splitOnce(arg: string): [string, string] {
  const at = arg.indexOf("=");
  return [arg.slice(0, at), arg.slice(at + 1)];
}

function hexArgument(text: string, what: string): Uint8Array {
  const h = text.replace(/^0x/i, "");
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(h)) throw new UsageError(`${what} ${text} is not hex`);
  return hexToBytes(`0x${h}`);
}

/**
 * Reads an attestation document file (`decodeDocumentFile`) and root certificate PEM files; a file that cannot be
 * read or decoded throws with a one-line reason (for `attestation verify` and `keys seal`).
 */
export async function readDocumentAndRoots(
  io: Pick<AttestationCommandIo, "readFile">,
  file: string,
  rootPaths: readonly string[],
): Promise<{ document: Uint8Array; roots: string[] }> {
  const document = decodeDocumentFile(await read(io, file));
  const roots: string[] = [];
  for (const path of rootPaths) roots.push(new TextDecoder().decode(await read(io, path)));
  return { document, roots };
}

async function read(io: Pick<AttestationCommandIo, "readFile">, path: string): Promise<Uint8Array> {
  try {
    return await io.readFile(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/**
 * A document file holds raw CBOR (a COSE_Sign1 array, 0x84, or tag 18, 0xd2) or base64 text of it.
 */
function decodeDocumentFile(bytes: Uint8Array): Uint8Array {
  if (bytes[0] === 0x84 || bytes[0] === 0xd2) return bytes;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes).replace(/\s+/g, "");
  const normalized = text.replace(/-/g, "+").replace(/_/g, "/");
  if (normalized.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(normalized)) {
    throw new UsageError("the file is neither a raw COSE_Sign1 document nor base64");
  }
  const padded = normalized.padEnd(Math.ceil(normalized.length / 4) * 4, "=");
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    throw new UsageError("the file's base64 is malformed");
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

function hex(bytes: Uint8Array): string {
  return bytesToHex(bytes).slice(2);
}
