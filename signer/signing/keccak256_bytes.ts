/**
 * Keccak-256 (Ethereum's hash: the original Keccak padding, not SHA3-256's) of bytes, to bytes, in one call. The
 * same result as viem's `keccak256(bytes, "bytes")`, which calls @noble/hashes 1.8: that one allocates a hasher,
 * its state and a scratch array for every hash, and loops where this one is unrolled, so it costs about 3 to 4
 * times as much for a transaction-sized input (issue 19: signTransaction hashes twice per signature). The
 * permutation works on 25 lanes of two 32-bit words each (low word first), in state of this module's own,
 * reused: one thread, calls never overlap, and nothing here is secret (the input is a transaction).
 *
 * @example
 * ```ts
 * const digest = keccak256Bytes(new TextEncoder().encode("")); // c5d24601…5d85a470
 * ```
 */
export function keccak256Bytes(data: Uint8Array): Uint8Array {
  const s = STATE;
  s.fill(0);
  const length = data.length;
  let offset = 0;
  for (; length - offset >= RATE_BYTES; offset += RATE_BYTES) {
    absorb(s, data, offset);
    permute(s);
  }
  const last = BLOCK;
  last.fill(0);
  last.set(data.subarray(offset));
  last[length - offset]! ^= 0x01; // Keccak's padding (SHA3 would be 0x06)
  last[RATE_BYTES - 1]! ^= 0x80;
  absorb(s, last, 0);
  permute(s);
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = s[i]!;
    out[4 * i] = w;
    out[4 * i + 1] = w >>> 8;
    out[4 * i + 2] = w >>> 16;
    out[4 * i + 3] = w >>> 24;
  }
  return out;
}

/** Keccak-256's rate: 1088 bits (the capacity is 512). */
const RATE_BYTES = 136;
/** 25 lanes × (low word, high word); lane (x, y) at words 2(x + 5y), 2(x + 5y) + 1. */
const STATE = new Int32Array(50);
/** The last, padded block. */
const BLOCK = new Uint8Array(RATE_BYTES);

/** XORs one block (little-endian words) into the state's first 34 words. */
function absorb(s: Int32Array, bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < RATE_BYTES / 4; i++) {
    const j = offset + 4 * i;
    s[i]! ^= bytes[j]! | (bytes[j + 1]! << 8) | (bytes[j + 2]! << 16) | (bytes[j + 3]! << 24);
  }
}

/** ρ offsets and π destinations (as word indices) along the path from lane 1, as FIPS 202 §3.2.2–3 walk it. */
const PI: number[] = [];
const ROTATION: number[] = [];
for (let t = 0, x = 1, y = 0; t < 24; t++) {
  [x, y] = [y, (2 * x + 3 * y) % 5];
  PI.push(2 * (x + 5 * y));
  ROTATION.push((((t + 1) * (t + 2)) / 2) % 64);
}

/** ι round constants (FIPS 202 §3.2.5), low and high words. */
const RC = [
  0x00000001, 0x00000000, 0x00008082, 0x00000000, 0x0000808a, 0x80000000, 0x80008000, 0x80000000,
  0x0000808b, 0x00000000, 0x80000001, 0x00000000, 0x80008081, 0x80000000, 0x00008009, 0x80000000,
  0x0000008a, 0x00000000, 0x00000088, 0x00000000, 0x80008009, 0x00000000, 0x8000000a, 0x00000000,
  0x8000808b, 0x00000000, 0x0000008b, 0x80000000, 0x00008089, 0x80000000, 0x00008003, 0x80000000,
  0x00008002, 0x80000000, 0x00000080, 0x80000000, 0x0000800a, 0x00000000, 0x8000000a, 0x80000000,
  0x80008081, 0x80000000, 0x00008080, 0x80000000, 0x80000001, 0x00000000, 0x80008008, 0x80000000,
].map((w) => w | 0);

/** Keccak-f[1600], 24 rounds, in place. */
function permute(s: Int32Array): void {
  for (let round = 0; round < 24; round++) {
    // θ: column parities c[x], then d[x] = c[x-1] ^ rotl1(c[x+1]) into every lane of column x.
    const c0l = s[0]! ^ s[10]! ^ s[20]! ^ s[30]! ^ s[40]!, c0h = s[1]! ^ s[11]! ^ s[21]! ^ s[31]! ^ s[41]!;
    const c1l = s[2]! ^ s[12]! ^ s[22]! ^ s[32]! ^ s[42]!, c1h = s[3]! ^ s[13]! ^ s[23]! ^ s[33]! ^ s[43]!;
    const c2l = s[4]! ^ s[14]! ^ s[24]! ^ s[34]! ^ s[44]!, c2h = s[5]! ^ s[15]! ^ s[25]! ^ s[35]! ^ s[45]!;
    const c3l = s[6]! ^ s[16]! ^ s[26]! ^ s[36]! ^ s[46]!, c3h = s[7]! ^ s[17]! ^ s[27]! ^ s[37]! ^ s[47]!;
    const c4l = s[8]! ^ s[18]! ^ s[28]! ^ s[38]! ^ s[48]!, c4h = s[9]! ^ s[19]! ^ s[29]! ^ s[39]! ^ s[49]!;
    const d0l = c4l ^ ((c1l << 1) | (c1h >>> 31)), d0h = c4h ^ ((c1h << 1) | (c1l >>> 31));
    const d1l = c0l ^ ((c2l << 1) | (c2h >>> 31)), d1h = c0h ^ ((c2h << 1) | (c2l >>> 31));
    const d2l = c1l ^ ((c3l << 1) | (c3h >>> 31)), d2h = c1h ^ ((c3h << 1) | (c3l >>> 31));
    const d3l = c2l ^ ((c4l << 1) | (c4h >>> 31)), d3h = c2h ^ ((c4h << 1) | (c4l >>> 31));
    const d4l = c3l ^ ((c0l << 1) | (c0h >>> 31)), d4h = c3h ^ ((c0h << 1) | (c0l >>> 31));
    for (let y = 0; y < 50; y += 10) {
      s[y]! ^= d0l; s[y + 1]! ^= d0h;
      s[y + 2]! ^= d1l; s[y + 3]! ^= d1h;
      s[y + 4]! ^= d2l; s[y + 5]! ^= d2h;
      s[y + 6]! ^= d3l; s[y + 7]! ^= d3h;
      s[y + 8]! ^= d4l; s[y + 9]! ^= d4h;
    }
    // ρ and π: each lane rotated by its offset into its new place, along the path from lane 1.
    let lo = s[2]!, hi = s[3]!;
    for (let t = 0; t < 24; t++) {
      const n = ROTATION[t]!;
      let rl: number, rh: number;
      if (n < 32) {
        rl = (lo << n) | (hi >>> (32 - n));
        rh = (hi << n) | (lo >>> (32 - n));
      } else {
        const m = n - 32;
        rl = (hi << m) | (lo >>> (32 - m));
        rh = (lo << m) | (hi >>> (32 - m));
      }
      const to = PI[t]!;
      lo = s[to]!;
      hi = s[to + 1]!;
      s[to] = rl;
      s[to + 1] = rh;
    }
    // χ: each row, a[x] ^= ~a[x+1] & a[x+2].
    for (let y = 0; y < 50; y += 10) {
      const a0l = s[y]!, a0h = s[y + 1]!, a1l = s[y + 2]!, a1h = s[y + 3]!, a2l = s[y + 4]!, a2h = s[y + 5]!;
      const a3l = s[y + 6]!, a3h = s[y + 7]!, a4l = s[y + 8]!, a4h = s[y + 9]!;
      s[y] = a0l ^ (~a1l & a2l); s[y + 1] = a0h ^ (~a1h & a2h);
      s[y + 2] = a1l ^ (~a2l & a3l); s[y + 3] = a1h ^ (~a2h & a3h);
      s[y + 4] = a2l ^ (~a3l & a4l); s[y + 5] = a2h ^ (~a3h & a4h);
      s[y + 6] = a3l ^ (~a4l & a0l); s[y + 7] = a3h ^ (~a4h & a0h);
      s[y + 8] = a4l ^ (~a0l & a1l); s[y + 9] = a4h ^ (~a0h & a1h);
    }
    // ι
    s[0]! ^= RC[2 * round]!;
    s[1]! ^= RC[2 * round + 1]!;
  }
}
