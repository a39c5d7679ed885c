/**
 * Known answers for `signTransaction` (issue 19): seeded random transactions of every type, in JSON-RPC form,
 * parsed by `parseTransaction` and signed by the signer, against viem's own `signTransaction` (its
 * `serializeTransaction`, signed and unsigned, and `keccak256`) with the same key. Web-standard code, so it runs
 * under Node (`sign_transaction_known_answers.test.ts`) and under Deno, where `signTransaction` takes the engine's
 * own hex conversions (`sign_transaction_known_answers_deno.ts`).
 */
import { keccak256, numberToHex, type Hex } from "viem";
import { signTransaction as viemSignTransaction } from "viem/accounts";
import type { Curve } from "../../../signer/signing/curve.ts";
import { parseTransaction } from "../../../signer/signing/parse_transaction.ts";
import { signTransaction } from "../../../signer/signing/sign_transaction.ts";
import type { TransactionParams } from "../../../signer/protocol/messages.ts";
import { seededRandom, type SeededRandom } from "../../helpers/seeded_random.ts";

export type KnownAnswerFailure = { index: number; params: TransactionParams; field: "raw" | "hash"; got: string; expected: string };
export type KnownAnswerReport = { count: number; byType: Record<string, number>; failures: KnownAnswerFailure[] };

/**
 * Signs `count` seeded random transactions both ways and reports every difference (none expected).
 *
 * @example
 * ```ts
 * const { failures } = await checkSignTransactionKnownAnswers(3000, 0x19);
 * ```
 */
export async function checkSignTransactionKnownAnswers(count: number, seed: number, options: { curve?: Curve } = {}): Promise<KnownAnswerReport> {
  const random = seededRandom(seed);
  const failures: KnownAnswerFailure[] = [];
  const byType: Record<string, number> = {};
  for (let index = 0; index < count; index++) {
    const params = randomTransaction(random);
    const key = randomKey(random);
    const transaction = parseTransaction(params);
    const got = signTransaction(hexBytes(key), transaction, options.curve ? { curve: options.curve } : {});
    const raw = await viemSignTransaction({ privateKey: key, transaction });
    const hash = keccak256(raw);
    byType[params.type!] = (byType[params.type!] ?? 0) + 1;
    if (got.raw !== raw) failures.push({ index, params, field: "raw", got: got.raw, expected: raw });
    else if (got.hash !== hash) failures.push({ index, params, field: "hash", got: got.hash, expected: hash });
  }
  return { count, byType, failures };
}

const q = (n: bigint | number) => numberToHex(n);
const MAX_256 = 2n ** 256n - 1n;
const MAX_64 = 2n ** 64n - 1n;

function hexOf(random: SeededRandom, bytes: number): Hex {
  let out = "0x";
  for (let i = 0; i < bytes; i++) out += random.int(256).toString(16).padStart(2, "0");
  return out as Hex;
}

function hexBytes(hex: Hex): Uint8Array {
  const out = new Uint8Array((hex.length - 2) / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** A valid secp256k1 key (below the group order: a random 32 bytes is, but for ~2^-128). */
function randomKey(random: SeededRandom): Hex {
  for (;;) {
    const key = hexOf(random, 32);
    const n = BigInt(key);
    if (n > 0n && n < 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n) return key;
  }
}

/** An unsigned integer of up to `bits` bits, often an edge: 0, 1, the largest, a power of two, or random of any width. */
function quantity(random: SeededRandom, bits: number): bigint {
  const max = 2n ** BigInt(bits) - 1n;
  switch (random.int(6)) {
    case 0: return 0n;
    case 1: return 1n;
    case 2: return max;
    case 3: return 2n ** BigInt(random.int(bits));
    default: {
      const width = 1 + random.int(bits / 8);
      return BigInt(hexOf(random, width)) & max;
    }
  }
}

function address(random: SeededRandom): Hex {
  return hexOf(random, 20);
}

/** Calldata: none, empty, short, at the RLP length boundaries (55/56 bytes, 255/256) or long. */
function data(random: SeededRandom): Hex | undefined {
  const length = random.pick([-1, 0, 1, 2, 4, 36, 55, 56, 100, 255, 256, 1000]);
  if (length < 0) return undefined;
  // A single byte below 0x80 is its own RLP encoding: make one now and then.
  if (length === 1 && random.int(2) === 0) return `0x0${random.int(8)}` as Hex;
  return hexOf(random, length);
}

function accessList(random: SeededRandom) {
  return Array.from({ length: random.int(4) }, () => ({
    address: address(random),
    storageKeys: Array.from({ length: random.int(4) }, () => random.int(3) === 0 ? `0x${"00".repeat(32)}` as Hex : hexOf(random, 32)),
  }));
}

function authorization(random: SeededRandom) {
  // r and s as quantities without leading zeros (as clients send them) or as 32 bytes with some.
  const word = (): Hex => random.int(2) === 0 ? q(quantity(random, 256)) : `0x${`${"00".repeat(random.int(3))}${hexOf(random, 32).slice(2)}`.slice(0, 64)}`;
  return {
    chainId: q(random.pick([0n, 1n, 31337n, 2n ** 53n - 1n])),
    address: address(random),
    nonce: q(random.pick([0n, 1n, 2n ** 53n - 1n, BigInt(random.int(1000))])),
    yParity: q(random.int(2)),
    r: word(),
    s: word(),
  };
}

/** One random, valid transaction of a random type (0x0…0x4) in JSON-RPC form, as a client sends it to the signer. */
export function randomTransaction(random: SeededRandom): TransactionParams {
  const type = random.pick(["0x0", "0x1", "0x2", "0x3", "0x4"] as const);
  const creation = (type === "0x0" || type === "0x1" || type === "0x2") && random.int(4) === 0;
  const calldata = data(random);
  const base: TransactionParams = {
    type,
    chainId: q(random.pick([1n, 10n, 137n, 31337n, 11155111n, 2n ** 32n, 2n ** 53n - 1n])),
    nonce: q(random.pick([0n, 1n, 127n, 128n, 255n, 256n, 2n ** 53n - 1n, BigInt(random.int(100_000))])),
    gas: q(random.pick([0n, 21000n, MAX_64, quantity(random, 64)])),
    ...(creation ? {} : { to: address(random) }),
    ...(random.int(5) === 0 ? {} : { value: q(random.pick([0n, 1n, MAX_256, quantity(random, 256)])) }),
    ...(calldata === undefined ? {} : random.int(2) === 0 ? { data: calldata } : { input: calldata }),
  };
  if (type === "0x0") return { ...base, gasPrice: q(quantity(random, 256)) };
  if (type === "0x1") return { ...base, gasPrice: q(quantity(random, 256)), ...(random.int(4) === 0 ? {} : { accessList: accessList(random) }) };
  const maxFeePerGas = quantity(random, 256);
  const maxPriorityFeePerGas = random.int(3) === 0 ? maxFeePerGas : maxFeePerGas === 0n ? 0n : BigInt(quantity(random, 256)) % (maxFeePerGas + 1n);
  const fees = { ...base, maxFeePerGas: q(maxFeePerGas), maxPriorityFeePerGas: q(maxPriorityFeePerGas), ...(random.int(3) === 0 ? {} : { accessList: accessList(random) }) };
  if (type === "0x2") return fees;
  if (type === "0x3") {
    return {
      ...fees,
      maxFeePerBlobGas: q(quantity(random, 256)),
      blobVersionedHashes: Array.from({ length: 1 + random.int(6) }, () => `0x01${hexOf(random, 31).slice(2)}` as Hex),
    };
  }
  return { ...fees, authorizationList: Array.from({ length: 1 + random.int(3) }, () => authorization(random)) };
}
