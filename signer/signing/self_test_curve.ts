import type { Curve } from "./curve.ts";

/**
 * RFC 6979 deterministic ECDSA over secp256k1 with SHA-256 and private key 1 (the vectors published with
 * python-ecdsa and Trezor's firmware tests), s in low form as EIP-2 requires: sha256(message), r ‖ s, recovery id.
 * Messages: "Satoshi Nakamoto" and "All those moments will be lost in time, like tears in rain. Time to die...".
 */
const KNOWN_ANSWERS: [digest: string, signature: string, recoveryId: number][] = [
  [
    "a0dc65ffca799873cbea0ac274015b9526505daaaed385155425f7337704883e",
    "934b1ea10a4b3c1757e2b0c017d0b6143ce3c9a7e6a4a49860d7a6ab210ee3d82442ce9d2b916064108014783e923ec36b49743e2ffa1c4496f01a512aafd9e5",
    1,
  ],
  [
    "7d1833f54854ac51659521afcd0ec6dca2ce2351429614bfa28a756b1b3c637f",
    "8600dbd41e348fe5c9465ab92d23e3db8b98b873beecd930736488696438cb6b547fe64427496db33bf66019dacbf0039c04199abb0122918601db38a72cfc21",
    0,
  ],
];

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g)!, (byte) => parseInt(byte, 16));

/**
 * Checks that `curve` signs as libsecp256k1 must before it signs anything else: the RFC 6979 known answers for
 * key 1 (r, low s, recovery id), the zero key refused with RangeError, the caller's key left as it was. Throws
 * Error naming the failed check; in enclave mode the signer then refuses to start (issue 19). Synchronous, so a
 * signing worker runs it before it takes its first message.
 *
 * @example
 * ```ts
 * selfTestCurve(openNativeCurveDeno()); // throws if the library signs wrongly
 * ```
 */
export function selfTestCurve(curve: Curve): void {
  const one = new Uint8Array(32);
  one[31] = 1;
  for (const [digest, expected, recoveryId] of KNOWN_ANSWERS) {
    const result = curve.signRecoverable(fromHex(digest), one);
    if (toHex(result.signature) !== expected || result.recoveryId !== recoveryId) {
      throw new Error(`secp256k1 self-test failed (${curve.name}): wrong signature for key 1 and digest ${digest.slice(0, 8)}…`);
    }
  }
  if (one.some((byte, i) => byte !== (i === 31 ? 1 : 0))) throw new Error(`secp256k1 self-test failed (${curve.name}): the caller's key changed`);
  let refused = false;
  try {
    curve.signRecoverable(new Uint8Array(32).fill(1), new Uint8Array(32));
  } catch (error) {
    refused = error instanceof RangeError;
  }
  if (!refused) throw new Error(`secp256k1 self-test failed (${curve.name}): the zero key was not refused`);
}
