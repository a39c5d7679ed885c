import { NSM_REQUEST_MAX_SIZE, NSM_RESPONSE_MAX_SIZE } from "./nsm.ts";
import { NsmError } from "./nsm_error.ts";

/** `_IOWR(0x0A, 0, 32)` (Linux include/uapi/asm-generic/ioctl.h): dir 3 << 30 | size 32 << 16 | type 0x0A << 8 | nr 0. */
export const NSM_IOCTL_REQUEST = 0xc0200a00n;
/** `struct nsm_raw { struct { u64 addr; u64 len; } request, response; }` (Linux drivers/misc/nsm.c). */
export const NSM_MESSAGE_SIZE = 32;
/** errno the driver returns for a request over 0x1000 bytes (Linux EMSGSIZE). */
export const EMSGSIZE = 90;

/** The result of one ioctl and the errno read right after it, on the same thread. */
export type NsmSyscallResult = { result: number; errno: number };

/** The primitives `nsmIoctl()` needs; the Deno adapter implements them with FFI, tests with a fake. */
export type NsmSyscalls = {
  /** Address of the first byte of `buffer`, which must not move while the call runs. */
  addressOf(buffer: Uint8Array): bigint;
  /** `ioctl(fd, request, message)`; `errno` must be read before any other libc call can run (blocking FFI). */
  ioctl(fd: number, request: bigint, message: Uint8Array): NsmSyscallResult | Promise<NsmSyscallResult>;
};

/**
 * Sends one CBOR request to the NSM driver and returns its CBOR response (DESIGN §5): the request is copied into
 * its own buffer, a 0x3000-byte response buffer is allocated, both are described in the 32-byte message
 * `{ u64 req_addr; u64 req_len; u64 resp_addr; u64 resp_len }` (little-endian: Nitro hosts are x86-64 or
 * aarch64), and after the ioctl the driver's rewritten `resp_len` says how much of the buffer is the answer.
 * The scratch buffers are zeroed afterwards (a GetRandom answer is key material).
 *
 * Errors: a request over 0x1000 bytes, or EMSGSIZE from the driver, is `NsmError("InputTooLarge")` (as
 * aws-nitro-enclaves-nsm-api's driver maps it); any other errno is `NsmError("InternalError")` with `errno`;
 * a `resp_len` of 0 or over the buffer is `NsmError("InvalidResponse")`.
 *
 * @example
 * ```ts
 * const response = await nsmIoctl(fd, encodeNsmRequest({ type: "GetRandom" }), syscalls);
 * ```
 */
export async function nsmIoctl(fd: number, request: Uint8Array, syscalls: NsmSyscalls): Promise<Uint8Array> {
  if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`Cannot call the NSM: bad file descriptor ${fd}`);
  if (!(request instanceof Uint8Array) || request.byteLength === 0) throw new TypeError("Cannot call the NSM: empty request");
  if (request.byteLength > NSM_REQUEST_MAX_SIZE) {
    throw new NsmError("InputTooLarge", `request is ${request.byteLength} bytes, more than ${NSM_REQUEST_MAX_SIZE}`);
  }
  // Fresh ArrayBuffers: their backing stores live outside the JS heap and do not move during the call.
  const requestBuffer = new Uint8Array(new ArrayBuffer(request.byteLength));
  requestBuffer.set(request);
  const responseBuffer = new Uint8Array(new ArrayBuffer(NSM_RESPONSE_MAX_SIZE));
  const message = new Uint8Array(new ArrayBuffer(NSM_MESSAGE_SIZE));
  const view = new DataView(message.buffer);
  try {
    const requestAddress = syscalls.addressOf(requestBuffer);
    const responseAddress = syscalls.addressOf(responseBuffer);
    if (requestAddress === 0n || responseAddress === 0n) throw new NsmError("InternalError", "buffer has no address");
    view.setBigUint64(0, requestAddress, true);
    view.setBigUint64(8, BigInt(requestBuffer.byteLength), true);
    view.setBigUint64(16, responseAddress, true);
    view.setBigUint64(24, BigInt(responseBuffer.byteLength), true);

    const { result, errno } = await syscalls.ioctl(fd, NSM_IOCTL_REQUEST, message);
    if (result !== 0) {
      if (errno === EMSGSIZE) throw new NsmError("InputTooLarge", "the driver refused the request size", { errno });
      throw new NsmError("InternalError", `ioctl failed with errno ${errno}`, { errno });
    }
    const length = view.getBigUint64(24, true);
    if (length === 0n || length > BigInt(responseBuffer.byteLength)) {
      throw new NsmError("InvalidResponse", `driver reported a response length of ${length}`);
    }
    return responseBuffer.slice(0, Number(length));
  } finally {
    responseBuffer.fill(0);
    requestBuffer.fill(0);
  }
}
