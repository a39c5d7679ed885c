import { test } from "uvu";
import * as assert from "uvu/assert";
import { bytesToHex, keccak256, stringToBytes } from "viem";
import { keccak256Bytes } from "../../../signer/signing/keccak256_bytes.ts";

// keccak256Bytes replaces viem's keccak256 where signTransaction hashes (issue 19): it must give the same bytes
// for every input length, across the rate's block boundaries (136 bytes) and the padding's edge cases.

/** A deterministic byte stream (xorshift32), so a failure names an input that can be made again. */
function seeded(seed: number) {
  let x = seed >>> 0 || 1;
  return (length: number) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}

test("known answers: the empty input and a short text", () => {
  assert.is(bytesToHex(keccak256Bytes(new Uint8Array(0))), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  assert.is(bytesToHex(keccak256Bytes(stringToBytes("hello"))), "0x1c8aff950685c2ed4bc3174f3472287b56d9517b9c948127319a09a7a36deac8");
});

test("every length 0…1100 (eight blocks), three inputs each: the same as viem's keccak256", () => {
  const random = seeded(0x19);
  for (let length = 0; length <= 1100; length++) {
    for (let k = 0; k < 3; k++) {
      const data = random(length);
      assert.is(bytesToHex(keccak256Bytes(data)), keccak256(data), `length ${length}, input ${k}`);
    }
  }
});

test("lengths at the padding's edges: 135 (both padding bits in one byte), 136 and 137; all-ones and all-zeros input", () => {
  for (const length of [135, 136, 137, 271, 272, 273]) {
    for (const fill of [0x00, 0xff]) {
      const data = new Uint8Array(length).fill(fill);
      assert.is(bytesToHex(keccak256Bytes(data)), keccak256(data), `length ${length}, fill ${fill}`);
    }
  }
});

test("a view into a larger buffer hashes only its own bytes, and the input is left as it was", () => {
  const buffer = seeded(7)(400);
  const copy = buffer.slice();
  const view = buffer.subarray(13, 13 + 200);
  assert.is(bytesToHex(keccak256Bytes(view)), keccak256(view.slice()));
  assert.equal(buffer, copy);
});

test("consecutive calls do not share state: each result is a fresh array", () => {
  const a = keccak256Bytes(stringToBytes("a"));
  const b = keccak256Bytes(stringToBytes("b"));
  assert.is.not(a, b);
  assert.is(bytesToHex(a), keccak256(stringToBytes("a")));
  assert.is(bytesToHex(b), keccak256(stringToBytes("b")));
});

test.run();
