import { test } from "uvu";
import * as assert from "uvu/assert";
import { sha256, stringToBytes } from "viem";
import { authenticateRequest } from "../../../rpc-proxy/auth/authenticate_request.ts";
import { parseApiKeys, type ApiKey } from "../../../rpc-proxy/auth/parse_api_keys.ts";

// authenticateRequest() promises a comparison whose time reveals neither which key matched nor how much of one
// did: every configured hash is compared, byte by byte to its end, whatever the presented key. Timing cannot be
// asserted on a shared machine, so the work is counted instead: each hash is wrapped in a Proxy that counts the
// bytes read from it. An early exit (return at the first match, stop at the first differing byte) reads fewer.

/** The keys with each hash wrapped so reads of its bytes are counted, per entry. */
function counted(keys: readonly ApiKey[]): { keys: ApiKey[]; reads: number[] } {
  const reads = keys.map(() => 0);
  const wrapped = keys.map((key, i) => ({
    ...key,
    hash: new Proxy(key.hash, {
      get(target, prop) {
        if (typeof prop === "string" && /^\d+$/.test(prop)) reads[i]!++;
        const value = (target as unknown as Record<PropertyKey, unknown>)[prop];
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }),
  }));
  return { keys: wrapped, reads };
}

const configured = parseApiKeys(
  ["first", "second", "third", "fourth"].map((name) => ({ name, key: `${name}-key-0123456789abcdef`, accounts: ["*"], methods: ["*"] })),
);

test("a key that matches the first entry still has every entry compared over all 32 bytes", () => {
  const { keys, reads } = counted(configured);
  assert.is(authenticateRequest("Bearer first-key-0123456789abcdef", keys)?.name, "first");
  assert.equal(reads, [32, 32, 32, 32]);
});

test("a key that matches the last entry, or none, reads exactly as much", () => {
  for (const header of ["Bearer fourth-key-0123456789abcdef", "Bearer wrong-key-0123456789abcdef", `Basic ${btoa(":third-key-0123456789abcdef")}`]) {
    const { keys, reads } = counted(configured);
    authenticateRequest(header, keys);
    assert.equal(reads, [32, 32, 32, 32], header);
  }
});

test("a key that differs from an entry in its first byte is still compared to that entry's end", () => {
  // A hash that differs from "second"'s at byte 0 only: an early-exit compare would stop after one byte.
  const second = configured[1]!.hash;
  const near = Uint8Array.from(second, (b, i) => (i === 0 ? b ^ 1 : b));
  const { keys, reads } = counted([{ ...configured[0]!, hash: near }, ...configured.slice(1)]);
  assert.is(authenticateRequest("Bearer second-key-0123456789abcdef", keys)?.name, "second");
  assert.equal(reads, [32, 32, 32, 32]);
  assert.is.not(sha256(stringToBytes("second-key-0123456789abcdef"), "bytes")[0], near[0]);
});

// What a header must be for its key to be looked up at all. A file may name a key by `keySha256` alone, with any
// hash, so these are checked against a configuration whose hashes include SHA-256 of the empty string: a header
// with no key (or an empty Basic password) must find nothing, not that entry.
const KEY = "backend-key-0123456789abcdef";
const withEmpty = parseApiKeys([
  { name: "empty", keySha256: sha256(stringToBytes("")), accounts: ["*"], methods: ["*"] },
  { name: "backend", key: KEY, accounts: ["*"], methods: ["*"] },
]);

test("no key, an empty Basic password or a scheme other than Bearer and Basic finds no entry, not even the empty key's", () => {
  const headers = [undefined, "", "   ", "Bearer", "Bearer ", "Basic", `Basic ${btoa("user:")}`, `Basic ${btoa(":")}`, `Basic ${btoa("")}`,
    `Basic ${btoa(KEY)}`, "Basic !!!", `Token ${btoa(`:${KEY}`)}`, `Digest ${btoa(`user:${KEY}`)}`, `Token ${KEY}`];
  for (const header of headers) assert.is(authenticateRequest(header, withEmpty), undefined, JSON.stringify(header));
  assert.is(authenticateRequest(`Basic ${btoa(`user:${KEY}`)}`, withEmpty)?.name, "backend");
  assert.is(authenticateRequest(`BASIC ${btoa(`:${KEY}`)}`, withEmpty)?.name, "backend", "the scheme in any case");
});

test("whitespace around the header is ignored; a header longer than 4096 characters is refused unread", () => {
  assert.is(authenticateRequest(`  Bearer ${KEY}  `, withEmpty)?.name, "backend");
  assert.is(authenticateRequest(`\tBearer\t${KEY}`, withEmpty)?.name, "backend");
  // "Bearer <key> <padding>": split keeps the first two words, so only the length decides.
  const padded = (length: number) => `Bearer ${KEY} ${"x".repeat(length - `Bearer ${KEY} `.length)}`;
  assert.is(padded(4096).length, 4096);
  assert.is(authenticateRequest(padded(4096), withEmpty)?.name, "backend", "4096 characters: read");
  assert.is(authenticateRequest(padded(4097), withEmpty), undefined, "4097 characters: refused");
});

test("an entry whose hash is not 32 bytes never matches, even when it starts or ends with the presented key's hash", () => {
  const hash = sha256(stringToBytes(KEY), "bytes");
  const entry = (name: string, bytes: Uint8Array): ApiKey => ({ ...withEmpty[1]!, name, hash: bytes });
  const keys = [entry("longer", Uint8Array.from([...hash, ...hash])), entry("prefix", hash.slice(0, 16)), entry("empty", new Uint8Array(0))];
  assert.is(authenticateRequest(`Bearer ${KEY}`, keys), undefined);
});

test.run();
