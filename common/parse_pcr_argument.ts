/** A `--pcr N=HEX` argument: the PCR index and its value as lowercase hex (no 0x). */
export type PcrArgument = { index: number; hex: string };

/**
 * Parses a `--pcr N=HEX` argument as the signer (dev mode) and the host-agent commands take it: N is a PCR
 * index 0–31, HEX its value with or without `0x`. Nitro's PCRs are SHA-384, 48 bytes, the default; `bytes`
 * widens that for a verifier that also takes the other digests an attestation document may carry (32, 64).
 * Throws a TypeError naming the argument and what was expected.
 *
 * @example
 * ```ts
 * const { index, hex } = parsePcrArgument("0=" + "ab".repeat(48)); // { index: 0, hex: "abab…" }
 * ```
 */
export function parsePcrArgument(text: string, bytes: readonly number[] = [48]): PcrArgument {
  const match = /^(\d{1,2})=(?:0x)?([0-9a-fA-F]+)$/.exec(text);
  const index = Number(match?.[1]);
  if (!match || index > 31 || !bytes.includes(match[2]!.length / 2)) {
    const sizes = bytes.map((b) => b * 2).join(", ").replace(/, (\d+)$/, " or $1");
    throw new TypeError(`Invalid --pcr ${text}: expected N=HEX with N 0..31 and ${sizes} hex digits`);
  }
  return { index, hex: match[2]!.toLowerCase() };
}
