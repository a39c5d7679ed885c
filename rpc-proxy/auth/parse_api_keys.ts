import { bytesToHex, hexToBytes, sha256, stringToBytes } from "viem";
import { METHOD_GROUPS, type MethodGroup } from "./method_group.ts";
import { isHexAddress } from "../../signer/mod.ts";

/** One configured API key. Only the SHA-256 of the key is kept in memory. */
export type ApiKey = {
  /** For logs; never the key. */
  readonly name: string;
  /** SHA-256 of the key's UTF-8 bytes. */
  readonly hash: Uint8Array;
  /** Lowercase addresses, or "*" for every account the signer holds. */
  readonly accounts: "*" | ReadonlySet<string>;
  readonly methods: "*" | ReadonlySet<MethodGroup>;
};

/** Shorter keys are refused: 16 characters of a random key is the least that resists guessing. */
export const MIN_API_KEY_LENGTH = 16;

/**
 * Parses the API keys file (JSON): `[{ "name"?, "key" | "keySha256", "accounts": ["0x…" | "*"], "methods":
 * ["sign" | "send" | "read" | "attest" | "*"] }]`. `keySha256` (hex SHA-256 of the key) lets the file hold no
 * key at all; a plain `key` is hashed at once. Throws TypeError/RangeError with a one-line reason naming the
 * entry, never echoing a key.
 *
 * @example
 * ```ts
 * const keys = parseApiKeys(JSON.parse(readFileSync("keys.json", "utf8")));
 * ```
 */
export function parseApiKeys(value: unknown): ApiKey[] {
  if (!Array.isArray(value)) throw new TypeError("Invalid API keys: expected a JSON array of { key, accounts, methods }");
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const where = `API key #${i}`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new TypeError(`Invalid ${where}: expected an object`);
    const e = entry as Record<string, unknown>;
    for (const field of Object.keys(e)) {
      if (!["name", "key", "keySha256", "accounts", "methods"].includes(field)) throw new TypeError(`Invalid ${where}: unknown field ${JSON.stringify(field)}`);
    }
    const name = e.name === undefined ? `key-${i}` : e.name;
    if (typeof name !== "string" || name.length === 0 || name.length > 64) throw new TypeError(`Invalid ${where}: name must be text of 1–64 characters`);
    let hash: Uint8Array;
    if (typeof e.key === "string" && e.keySha256 === undefined) {
      if (e.key.length < MIN_API_KEY_LENGTH) throw new RangeError(`Invalid ${where} (${name}): key shorter than ${MIN_API_KEY_LENGTH} characters`);
      hash = sha256(stringToBytes(e.key), "bytes");
    } else if (typeof e.keySha256 === "string" && e.key === undefined && /^(0x)?[0-9a-fA-F]{64}$/.test(e.keySha256)) {
      hash = hexToBytes(e.keySha256.startsWith("0x") ? (e.keySha256 as `0x${string}`) : `0x${e.keySha256}`);
    } else {
      throw new TypeError(`Invalid ${where} (${name}): give exactly one of "key" (text) or "keySha256" (64 hex digits)`);
    }
    const fingerprint = bytesToHex(hash);
    if (seen.has(fingerprint)) throw new TypeError(`Invalid ${where} (${name}): the same key appears twice`);
    seen.add(fingerprint);
    return { name, hash, accounts: accounts(e.accounts, where), methods: methods(e.methods, where) };
  });
}

function accounts(value: unknown, where: string): ApiKey["accounts"] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`Invalid ${where}: accounts must be a non-empty array of addresses or "*"`);
  if (value.includes("*")) return "*";
  return new Set(value.map((a) => {
    if (!isHexAddress(a)) throw new TypeError(`Invalid ${where}: ${JSON.stringify(a)} is not an address`);
    return a.toLowerCase();
  }));
}

function methods(value: unknown, where: string): ApiKey["methods"] {
  if (!Array.isArray(value) || value.length === 0) throw new TypeError(`Invalid ${where}: methods must be a non-empty array of ${METHOD_GROUPS.join(", ")} or "*"`);
  if (value.includes("*")) return "*";
  return new Set(value.map((m) => {
    if (!METHOD_GROUPS.includes(m as MethodGroup)) throw new TypeError(`Invalid ${where}: unknown method group ${JSON.stringify(m)} (expected ${METHOD_GROUPS.join(", ")} or "*")`);
    return m as MethodGroup;
  }));
}
