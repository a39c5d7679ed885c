import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { LOCAL_ADMIN_ROLE_ARN, LOCAL_INSTANCE_ROLE_ARN, type LocalCredential } from "./local_credential.ts";

export type LocalCredentials = {
  /** The parent instance's role (`arn:aws:iam::111122223333:role/nitro-signer-instance`). */
  readonly host: LocalCredential;
  /** The key administrator (`arn:aws:iam::111122223333:role/nitro-signer-admin`). */
  readonly admin: LocalCredential;
};

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Returns the dummy AWS credentials of a local state directory, creating them on first use in
 * `stateDir/credentials.json` (mode 0600): one key pair for the host (the instance role) and one for the admin.
 * They mean nothing outside the local stand-ins, which accept only these (see `startKmsStandIn`).
 *
 * @example
 * ```ts
 * const { host, admin } = await ensureLocalCredentials(".local");
 * const kms = new KMSClient({ region, endpoint, credentials: admin });
 * ```
 */
export async function ensureLocalCredentials(stateDir: string): Promise<LocalCredentials> {
  if (typeof stateDir !== "string" || stateDir === "") throw new TypeError("stateDir must be a non-empty path");
  const path = join(stateDir, "credentials.json");
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LocalCredentials>;
    if (isCredential(parsed.host) && isCredential(parsed.admin)) return { host: parsed.host, admin: parsed.admin };
    throw new Error(`Cannot read ${path}: expected { host, admin } credentials`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const credentials: LocalCredentials = {
    host: { accessKeyId: accessKeyId(), secretAccessKey: secretAccessKey(), principalArn: LOCAL_INSTANCE_ROLE_ARN },
    admin: { accessKeyId: accessKeyId(), secretAccessKey: secretAccessKey(), principalArn: LOCAL_ADMIN_ROLE_ARN },
  };
  await mkdir(stateDir, { recursive: true });
  // "wx": if another process created it meanwhile, fail rather than overwrite, then read theirs.
  try {
    await writeFile(path, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return ensureLocalCredentials(stateDir);
    throw error;
  }
  return credentials;
}

function isCredential(value: unknown): value is LocalCredential {
  const c = value as Partial<LocalCredential> | undefined;
  return typeof c?.accessKeyId === "string" && typeof c.secretAccessKey === "string" && typeof c.principalArn === "string";
}

function randomString(alphabet: string, length: number): string {
  // Alphabets of 32 and 64 symbols divide 256, so `byte % length` is unbiased.
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (b) => alphabet[b % alphabet.length]).join("");
}

/** AWS long-term access key ids are `AKIA` + 16 base32 characters. */
function accessKeyId(): string {
  return `AKIA${randomString(BASE32, 16)}`;
}

function secretAccessKey(): string {
  return randomString(SECRET_ALPHABET, 40);
}
