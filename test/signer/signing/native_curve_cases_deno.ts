/// <reference lib="deno.ns" />
/**
 * The native secp256k1 curve (libsecp256k1 through Deno FFI, issue 19) against the WebAssembly build and
 * @noble/curves, under Deno. Prints `{"available":…}` first (false, with the reason, when the library cannot be
 * loaded: then nothing else runs), then one JSON line per case (`{"name","ok","error"?}`), and exits 1 if any
 * failed. Run by `native_curve_deno.test.ts`, or by hand:
 * `deno run --allow-ffi --allow-read --allow-env test/signer/signing/native_curve_cases_deno.ts [COUNT]`
 */
import { secp256k1 } from "@noble/curves/secp256k1";
import { hexToBytes, keccak256, recoverTransactionAddress, type Hex } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import type { Curve } from "../../../signer/signing/curve.ts";
import { openCurveDeno } from "../../../signer/signing/open_curve_deno.ts";
import { openNativeCurveDeno, type NativeCurve } from "../../../signer/signing/open_native_curve_deno.ts";
import { selfTestCurve } from "../../../signer/signing/self_test_curve.ts";
import { signAuthorization } from "../../../signer/signing/sign_authorization.ts";
import { signDigest } from "../../../signer/signing/sign_digest.ts";
import { signMessage } from "../../../signer/signing/sign_message.ts";
import { signTransaction } from "../../../signer/signing/sign_transaction.ts";
import { signTypedData } from "../../../signer/signing/sign_typed_data.ts";
import { wasmCurve } from "../../../signer/signing/wasm_curve.ts";
import { createInlineSigningPool } from "../../../signer/workers/create_inline_signing_pool.ts";
import { createWorkerSigningPool } from "../../../signer/workers/create_worker_signing_pool.ts";
import { spawnSigningWorkerDeno } from "../../../signer/workers/spawn_signing_worker_deno.ts";

const COUNT = Number(Deno.args[0] ?? 3000);
const N = secp256k1.CURVE.n;
const HALF_N = N >> 1n;

let native: NativeCurve;
try {
  native = openNativeCurveDeno();
} catch (error) {
  console.log(JSON.stringify({ available: false, reason: String((error as Error)?.message ?? error).split("\n")[0] }));
  Deno.exit(0);
}
console.log(JSON.stringify({ available: true, path: native.path }));

const fail = (message: string): never => {
  throw new Error(message);
};
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const bigintToHex32 = (x: bigint) => x.toString(16).padStart(64, "0");
const throwsRange = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error instanceof RangeError;
  }
  return false;
};

const cases: { name: string; run: () => unknown }[] = [
  {
    name: "selfTestCurve() passes for the native and the WebAssembly curve (RFC 6979 known answers, key 1)",
    run: () => {
      selfTestCurve(native);
      selfTestCurve(wasmCurve);
    },
  },
  {
    name: `native, WebAssembly and @noble/curves give identical signatures and recovery ids for ${COUNT} random keys and digests (high s normalised)`,
    run: () => {
      let highBefore = 0;
      for (let i = 0; i < COUNT; i++) {
        const key = secp256k1.utils.randomPrivateKey();
        const digest = crypto.getRandomValues(new Uint8Array(32));
        const a = native.signRecoverable(digest, key);
        const b = wasmCurve.signRecoverable(digest, key);
        const noble = secp256k1.sign(digest, key, { lowS: true });
        const raw = secp256k1.sign(digest, key, { lowS: false });
        if (raw.s > HALF_N) highBefore++;
        const expected = bigintToHex32(noble.r) + bigintToHex32(noble.s);
        if (toHex(a.signature) !== expected || a.recoveryId !== noble.recovery) fail(`native differs from noble at ${i}: key ${toHex(key).slice(0, 6)}…`);
        if (toHex(b.signature) !== expected || b.recoveryId !== noble.recovery) fail(`wasm differs from noble at ${i}`);
        if (BigInt(`0x${toHex(a.signature.subarray(32))}`) > HALF_N) fail(`native s is high at ${i}`);
      }
      // About half of RFC 6979's raw signatures have a high s: the normalisation (and its flipped recovery id) was exercised.
      if (highBefore < COUNT / 4) fail(`only ${highBefore} of ${COUNT} signatures needed normalising`);
    },
  },
  {
    name: "signDigest() with the native curve equals signDigest() with the default (WebAssembly), also at the edges of the key range",
    run: () => {
      const keys = [1n, 2n, N - 1n, N - 2n, HALF_N, HALF_N + 1n].map((k) => hexToBytes(`0x${bigintToHex32(k)}`));
      for (const key of keys) {
        for (const digest of [new Uint8Array(32), new Uint8Array(32).fill(0xff), crypto.getRandomValues(new Uint8Array(32))]) {
          const a = signDigest(key, digest, { curve: native });
          const b = signDigest(key, digest);
          if (JSON.stringify(a) !== JSON.stringify(b)) fail(`differs for key ${toHex(key).slice(-6)}`);
        }
      }
    },
  },
  {
    name: "signTransaction, signMessage, signTypedData and signAuthorization give the same bytes with either curve, and a transaction recovers to the key's address",
    run: async () => {
      for (let i = 0; i < 50; i++) {
        const key = secp256k1.utils.randomPrivateKey();
        const tx = { type: "eip1559", chainId: 1 + i, nonce: i, gas: 21000n, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 10n ** 9n, to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: BigInt(i) } as const;
        const a = signTransaction(key, tx, { curve: native });
        if (a.raw !== signTransaction(key, tx).raw) fail("transaction differs");
        if ((await recoverTransactionAddress({ serializedTransaction: a.raw as Hex & `0x02${string}` })) !== privateKeyToAddress(`0x${toHex(key)}`)) fail("transaction does not recover to the key");
        const message = crypto.getRandomValues(new Uint8Array(i + 1));
        if (signMessage(key, message, { curve: native }) !== signMessage(key, message)) fail("message differs");
        const typed = { domain: { name: "t", chainId: 1 }, types: { M: [{ name: "n", type: "uint256" }] }, primaryType: "M", message: { n: BigInt(i) } } as const;
        if (signTypedData(key, typed, { curve: native }) !== signTypedData(key, typed)) fail("typed data differs");
        const auth = { chainId: i, address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", nonce: i } as const;
        if (JSON.stringify(signAuthorization(key, auth, { curve: native })) !== JSON.stringify(signAuthorization(key, auth))) fail("authorization differs");
      }
    },
  },
  {
    name: "the native curve refuses keys of zero and ≥ n, and digests or keys of the wrong length, with RangeError, as the WebAssembly curve does",
    run: () => {
      const digest = new Uint8Array(32).fill(1);
      for (const curve of [native, wasmCurve] as Curve[]) {
        for (const key of [new Uint8Array(32), hexToBytes(`0x${bigintToHex32(N)}`), new Uint8Array(32).fill(0xff)]) {
          if (!throwsRange(() => curve.signRecoverable(digest, key))) fail(`${curve.name} signed with key ${toHex(key).slice(0, 6)}…`);
        }
      }
      if (!throwsRange(() => native.signRecoverable(new Uint8Array(31), new Uint8Array(32).fill(1)))) fail("native signed a 31-byte digest");
      if (!throwsRange(() => native.signRecoverable(digest, new Uint8Array(33).fill(1)))) fail("native took a 33-byte key");
      if (!throwsRange(() => signDigest(new Uint8Array(31).fill(1), digest, { curve: native }))) fail("signDigest took a 31-byte key");
    },
  },
  {
    name: "the native curve leaves the caller's key and digest as they were",
    run: () => {
      const key = secp256k1.utils.randomPrivateKey();
      const digest = keccak256(new Uint8Array([1]), "bytes");
      const [k, d] = [key.slice(), digest.slice()];
      native.signRecoverable(digest, key);
      if (toHex(key) !== toHex(k) || toHex(digest) !== toHex(d)) fail("changed");
    },
  },
  {
    name: "openNativeCurveDeno() randomizes its context with 32 bytes from `random` and zeroes them, and a closed curve signs nothing",
    run: () => {
      let seed: Uint8Array | undefined;
      const curve = openNativeCurveDeno({ random: (bytes) => (seed = bytes).fill(0x42) });
      if (seed?.length !== 32) fail("random was not asked for 32 bytes");
      if (seed!.some((b) => b !== 0)) fail("the seed was not zeroed");
      // Blinding changes how, not what: the signatures stay RFC 6979's.
      selfTestCurve(curve);
      curve.close();
      curve.close();
      let threw = false;
      try {
        curve.signRecoverable(new Uint8Array(32), new Uint8Array(32).fill(1));
      } catch {
        threw = true;
      }
      if (!threw) fail("a closed curve signed");
    },
  },
  {
    name: "openCurveDeno(): native without the library throws with the reason; auto falls back to wasm and says why; wasm never loads it",
    run: () => {
      let message = "";
      try {
        openCurveDeno("native", { library: "libsecp256k1-absent.so.1" });
      } catch (error) {
        message = (error as Error).message;
      }
      if (!/Cannot use the native secp256k1 curve: libsecp256k1-absent\.so\.1 cannot be loaded/.test(message)) fail(`native: ${message}`);
      const auto = openCurveDeno("auto", { library: "libsecp256k1-absent.so.1" });
      if (auto.curve.name !== "wasm" || !/libsecp256k1-absent/.test(auto.fallback ?? "")) fail(`auto: ${auto.curve.name} ${auto.fallback}`);
      const present = openCurveDeno("auto");
      if (present.curve.name !== "native" || present.fallback !== undefined) fail("auto did not pick the installed library");
      present.close();
      if (openCurveDeno("wasm").curve !== wasmCurve) fail("wasm");
    },
  },
  {
    name: "Deno signing workers on the native curve sign what the inline WebAssembly pool signs",
    run: async () => {
      const key = secp256k1.utils.randomPrivateKey();
      const address = privateKeyToAddress(`0x${toHex(key)}`);
      const workers = createWorkerSigningPool(() => spawnSigningWorkerDeno({ curve: "native" }), { workers: 2 });
      const inline = createInlineSigningPool();
      try {
        workers.addKey(address, key.slice());
        inline.addKey(address, key.slice());
        for (let nonce = 0; nonce < 20; nonce++) {
          const request = { kind: "transaction", transaction: { type: "0x2", chainId: "0x1", nonce: `0x${nonce.toString(16)}`, gas: "0x5208", maxFeePerGas: "0x2540be400", maxPriorityFeePerGas: "0x3b9aca00", to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" } } as const;
          const [a, b] = await Promise.all([workers.sign(address, request), inline.sign(address, request)]);
          if (a.raw !== b.raw) fail(`nonce ${nonce}: worker ${a.raw.slice(0, 20)} vs inline ${b.raw.slice(0, 20)}`);
        }
      } finally {
        workers.close();
        inline.close();
      }
    },
  },
];

let failed = 0;
for (const c of cases) {
  try {
    await c.run();
    console.log(JSON.stringify({ name: c.name, ok: true }));
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ name: c.name, ok: false, error: String((error as Error)?.stack ?? error) }));
  }
}
native.close();
Deno.exit(failed ? 1 : 0);
