import { decode, encode } from "cborg";
import { bytesToBigInt, numberToBytes } from "viem";
import type { Hex } from "../protocol/messages.ts";
import type { WindowEntry } from "./window_entries.ts";
import { WindowStateInvalidError } from "./window_state_errors.ts";

/** Most entries a record holds (docs/fleet-state.md): ~20 bytes each, so a record stays near 10 KB, far below DynamoDB's 400 KB. */
export const MAX_WINDOW_RECORD_ENTRIES = 512;
/** Bytes of the HMAC-SHA-256 tag after the CBOR body. */
export const WINDOW_RECORD_TAG_BYTES = 32;
/** A presented record larger than this is refused before its tag is computed. */
const MAX_WINDOW_RECORD_BYTES = 64 * 1024;
/** A sum of wei fits in 40 bytes (uint256 values, far fewer than 2^64 of them). */
const MAX_WEI_BYTES = 40;

/** An account's window state as a record carries it (`expiresAt` in epoch seconds; entries' `at` in ms, whole seconds). */
export type WindowRecord = { readonly account: Hex; readonly version: number; readonly expiresAt: number; readonly entries: readonly WindowEntry[] };

/**
 * Encodes and authenticates a window record (docs/fleet-state.md): CBOR (cborg)
 * `{ v: 1, account, version, expiresAt, entries: [[atSecond, count, wei], …] }` followed by its 32-byte
 * HMAC-SHA-256 tag under `key` (deriveWindowKey). `wei` is a byte string, big-endian without leading zeros.
 *
 * @example
 * ```ts
 * const bytes = await encodeWindowRecord({ account, version: 1, expiresAt, entries }, key);
 * ```
 */
export async function encodeWindowRecord(record: WindowRecord, key: CryptoKey): Promise<Uint8Array> {
  if (!Number.isSafeInteger(record.version) || record.version < 1) throw new RangeError("Cannot encode window record: version must be an integer ≥ 1");
  if (record.entries.length > MAX_WINDOW_RECORD_ENTRIES) throw new RangeError(`Cannot encode window record: more than ${MAX_WINDOW_RECORD_ENTRIES} entries`);
  const body = encode({
    v: 1,
    account: record.account.toLowerCase(),
    version: record.version,
    expiresAt: record.expiresAt,
    entries: record.entries.map((e) => [e.at / 1000, e.count, weiBytes(e.value)]),
  });
  const tag = new Uint8Array(await crypto.subtle.sign("HMAC", key, body));
  const bytes = new Uint8Array(body.length + tag.length);
  bytes.set(body);
  bytes.set(tag, body.length);
  return bytes;
}

/**
 * Checks a presented window record: its tag under `key` first (WebCrypto verify, constant time; nothing
 * unauthenticated is decoded), then its shape, strictly, and that it names `account`. Anything else is
 * WindowStateInvalidError (WINDOW_STATE_INVALID).
 *
 * @example
 * ```ts
 * const { version, entries } = await decodeWindowRecord(bytes, { account, key });
 * ```
 */
export async function decodeWindowRecord(bytes: unknown, options: { account: Hex; key: CryptoKey }): Promise<WindowRecord> {
  const account = options.account.toLowerCase() as Hex;
  const invalid = (reason: string) => new WindowStateInvalidError(account, reason);
  if (!(bytes instanceof Uint8Array)) throw invalid("expected the record as bytes, or null");
  if (bytes.length <= WINDOW_RECORD_TAG_BYTES || bytes.length > MAX_WINDOW_RECORD_BYTES) throw invalid(`length ${bytes.length} is out of range`);
  const body = bytes.slice(0, bytes.length - WINDOW_RECORD_TAG_BYTES);
  const tag = bytes.slice(bytes.length - WINDOW_RECORD_TAG_BYTES);
  if (!(await crypto.subtle.verify("HMAC", options.key, tag, body))) throw invalid("its tag is not this account's key's");
  let value: unknown;
  try {
    value = decode(body, { strict: true, rejectDuplicateMapKeys: true });
  } catch {
    throw invalid("not one CBOR item");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Uint8Array) throw invalid("expected a map");
  const map = value as Record<string, unknown>;
  const keys = Object.keys(map).sort().join(",");
  if (keys !== "account,entries,expiresAt,v,version") throw invalid("expected exactly v, account, version, expiresAt, entries");
  if (map.v !== 1) throw invalid("v must be 1");
  if (map.account !== account) throw invalid("it names another account");
  if (!isCount(map.version) || map.version < 1) throw invalid("version must be an integer ≥ 1");
  if (!isCount(map.expiresAt)) throw invalid("expiresAt must be an integer ≥ 0");
  if (!Array.isArray(map.entries) || map.entries.length > MAX_WINDOW_RECORD_ENTRIES) throw invalid(`entries must be a list of at most ${MAX_WINDOW_RECORD_ENTRIES}`);
  const entries: WindowEntry[] = [];
  let previous = -1;
  for (const item of map.entries as unknown[]) {
    if (!Array.isArray(item) || item.length !== 3) throw invalid("an entry must be [atSecond, count, wei]");
    const [at, count, wei] = item as [unknown, unknown, unknown];
    if (!isCount(at) || at <= previous || at > Number.MAX_SAFE_INTEGER / 1000) throw invalid("entries' atSecond must be integers in increasing order");
    if (!isCount(count)) throw invalid("an entry's count must be an integer ≥ 0");
    if (!(wei instanceof Uint8Array) || wei.length > MAX_WEI_BYTES || wei[0] === 0) throw invalid("an entry's wei must be big-endian bytes without leading zeros");
    previous = at;
    entries.push({ at: at * 1000, count, value: weiValue(wei) });
  }
  return { account, version: map.version, expiresAt: map.expiresAt, entries };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function weiBytes(value: bigint): Uint8Array {
  if (value < 0n) throw new RangeError("Cannot encode window record: negative wei");
  return value === 0n ? new Uint8Array(0) : numberToBytes(value);
}

function weiValue(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : bytesToBigInt(bytes);
}
