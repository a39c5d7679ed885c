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

test.run();
