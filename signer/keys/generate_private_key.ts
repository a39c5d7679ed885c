import { secp256k1 } from "@noble/curves/secp256k1";

/**
 * Makes a secp256k1 private key from two independent entropy sources (DESIGN §6): the NSM's hardware RNG and
 * WebCrypto, mixed with SHA-256 so the key is unpredictable if either source is. Candidates outside [1, n-1]
 * are drawn again (probability ~2^-128). The inputs are zeroed.
 *
 * @example
 * ```ts
 * const key = await generatePrivateKey({ nsmRandom: () => nsm.getRandom() });
 * ```
 */
export async function generatePrivateKey(sources: {
  nsmRandom: () => Promise<Uint8Array>;
  random?: (bytes: Uint8Array) => Uint8Array;
}): Promise<Uint8Array> {
  const random = sources.random ?? ((bytes: Uint8Array) => crypto.getRandomValues(bytes));
  for (;;) {
    const hardware = await sources.nsmRandom();
    if (hardware.length < 32) throw new RangeError(`Cannot generate key: NSM returned ${hardware.length} random bytes, need 32`);
    const mixed = new Uint8Array(hardware.length + 32);
    mixed.set(hardware);
    mixed.set(random(new Uint8Array(32)), hardware.length);
    const key = new Uint8Array(await crypto.subtle.digest("SHA-256", mixed));
    mixed.fill(0);
    hardware.fill(0);
    if (secp256k1.utils.isValidPrivateKey(key)) return key;
    key.fill(0);
  }
}
