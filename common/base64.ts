/** Base64 (RFC 4648 §4, with padding), as AWS JSON protocols encode blobs and key records store ciphertexts. */

/**
 * Strict base64 → bytes, or undefined when `text` is not canonical padded base64.
 *
 * @example
 * ```ts
 * base64ToBytes("AQI="); // Uint8Array [1, 2]
 * ```
 */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * Bytes → base64.
 *
 * @example
 * ```ts
 * bytesToBase64(new Uint8Array([1, 2])); // "AQI="
 * ```
 */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
