import { test } from "uvu";
import * as assert from "uvu/assert";
import { secp256k1 } from "@noble/curves/secp256k1";
import { bytesToHex, hexToBytes, sha256, type Hex } from "viem";
import { sign } from "viem/accounts";
import { signDigest } from "../../../signer/signing/sign_digest.ts";
import { signDigestBytes } from "../../../signer/signing/sign_digest_bytes.ts";
import { selfTestCurve } from "../../../signer/signing/self_test_curve.ts";
import { wasmCurve } from "../../../signer/signing/wasm_curve.ts";

// signDigest runs libsecp256k1 (WebAssembly by default: Node has no FFI here, so the native curve is tested under
// Deno, native_curve_deno.test.ts); it must give the same bytes as viem's curve (@noble/curves).
const one = new Uint8Array(32);
one[31] = 1;

// RFC 6979 deterministic ECDSA over secp256k1 with SHA-256, private key 1: the vectors published with
// python-ecdsa and Trezor's firmware tests (s in low form, as EIP-2 requires).
const vectors: [string, Hex, Hex, 0 | 1][] = [
  ["Satoshi Nakamoto", "0x934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d8", "0x2442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5", 1],
  ["All those moments will be lost in time, like tears in rain. Time to die...", "0x8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b", "0x547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21", 0],
];

for (const [message, r, s, yParity] of vectors) {
  test(`signDigest() known answer: key 1, sha256(${JSON.stringify(message.slice(0, 16))}…)`, () => {
    assert.equal(signDigest(one, sha256(new TextEncoder().encode(message), "bytes")), { r, s, yParity });
  });
  test(`signDigestBytes() known answer (r ‖ s in bytes, issue 19): key 1, sha256(${JSON.stringify(message.slice(0, 16))}…)`, () => {
    const { signature, yParity: parity } = signDigestBytes(one, sha256(new TextEncoder().encode(message), "bytes"));
    assert.equal([bytesToHex(signature.subarray(0, 32)), bytesToHex(signature.subarray(32)), signature.length, parity], [r, s, 64, yParity]);
  });
}

test("signDigest() is byte-identical to @noble/curves (RFC 6979, low-s) and viem's sign for random keys and digests", async () => {
  for (let i = 0; i < 300; i++) {
    const key = secp256k1.utils.randomPrivateKey();
    const digest = crypto.getRandomValues(new Uint8Array(32));
    const ours = signDigest(key, digest);
    const noble = secp256k1.sign(digest, key, { lowS: true });
    assert.is(ours.r, `0x${noble.r.toString(16).padStart(64, "0")}`);
    assert.is(ours.s, `0x${noble.s.toString(16).padStart(64, "0")}`);
    assert.is(ours.yParity, noble.recovery);
    if (i < 30) {
      const viem = await sign({ hash: bytesToHex(digest), privateKey: bytesToHex(key) });
      assert.equal([ours.r, ours.s, ours.yParity], [viem.r, viem.s, viem.yParity]);
    }
  }
});

test("signDigest() leaves the caller's key as it was", () => {
  const key = secp256k1.utils.randomPrivateKey();
  const copy = key.slice();
  signDigest(key, new Uint8Array(32).fill(7));
  assert.equal(key, copy);
});

test("signDigest() with { curve: wasmCurve } is the default, and wasmCurve passes the start-up self-test", () => {
  const digest = crypto.getRandomValues(new Uint8Array(32));
  assert.equal(signDigest(one, digest, { curve: wasmCurve }), signDigest(one, digest));
  selfTestCurve(wasmCurve);
});

test("signDigest() refuses a key of zero, of n or more, or of the wrong length with RangeError", () => {
  const n = hexToBytes("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"); // the group order
  for (const key of [new Uint8Array(32), n, new Uint8Array(32).fill(0xff), new Uint8Array(31).fill(1)]) {
    assert.throws(() => signDigest(key, new Uint8Array(32).fill(7)), (e: unknown) => e instanceof RangeError);
  }
});

test("selfTestCurve() catches a curve that signs wrongly or signs with the zero key", () => {
  const wrong = { name: "wasm" as const, signRecoverable: (d: Uint8Array, k: Uint8Array) => ({ ...wasmCurve.signRecoverable(d, k), recoveryId: 1 }) };
  assert.throws(() => selfTestCurve(wrong), /self-test failed \(wasm\): wrong signature/);
  const lax = { name: "wasm" as const, signRecoverable: (d: Uint8Array, k: Uint8Array) => (k.every((b) => b === 0) ? { signature: new Uint8Array(64), recoveryId: 0 } : wasmCurve.signRecoverable(d, k)) };
  assert.throws(() => selfTestCurve(lax), /zero key was not refused/);
});

test("signDigest() refuses a digest that is not 32 bytes", () => {
  for (const length of [0, 31, 33]) assert.throws(() => signDigest(one, new Uint8Array(length)), (e: unknown) => e instanceof RangeError && /length/.test((e as Error).message));
});

test.run();
