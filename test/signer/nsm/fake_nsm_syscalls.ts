// A fake of the NSM driver for Node tests: `addressOf` hands out fake addresses for buffers it remembers,
// `ioctl` reads the 32-byte message like drivers/misc/nsm.c, passes the request to `device`, writes the
// answer into the response buffer and rewrites resp_len. Every call is recorded for assertions.
import type { NsmSyscalls } from "../../../signer/nsm/nsm_ioctl.ts";

export type RecordedCall = {
  fd: number;
  request: bigint;
  messageLength: number;
  requestAddress: bigint;
  requestLength: bigint;
  responseAddress: bigint;
  responseLength: bigint;
  requestBytes: Uint8Array;
};

export type FakeDriver = NsmSyscalls & { calls: RecordedCall[]; buffers: Map<bigint, Uint8Array> };

export function fakeNsmSyscalls(
  device: (request: Uint8Array) => Promise<Uint8Array> | Uint8Array,
  options: { fail?: () => number | undefined; reportLength?: (actual: number) => bigint } = {},
): FakeDriver {
  const buffers = new Map<bigint, Uint8Array>();
  const calls: RecordedCall[] = [];
  let next = 0x7f00_0000_1000n;
  return {
    calls,
    buffers,
    addressOf(buffer) {
      const address = next;
      next += 0x1_0000n;
      buffers.set(address, buffer);
      return address;
    },
    async ioctl(fd, request, message) {
      const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
      const call: RecordedCall = {
        fd,
        request,
        messageLength: message.byteLength,
        requestAddress: view.getBigUint64(0, true),
        requestLength: view.getBigUint64(8, true),
        responseAddress: view.getBigUint64(16, true),
        responseLength: view.getBigUint64(24, true),
        requestBytes: new Uint8Array(),
      };
      calls.push(call);
      const errno = options.fail?.();
      if (errno !== undefined) return { result: -1, errno };
      const requestBuffer = buffers.get(call.requestAddress);
      const responseBuffer = buffers.get(call.responseAddress);
      if (!requestBuffer || !responseBuffer) return { result: -1, errno: 14 /* EFAULT */ };
      call.requestBytes = requestBuffer.slice(0, Number(call.requestLength));
      const answer = await device(call.requestBytes);
      if (answer.byteLength > Number(call.responseLength)) return { result: -1, errno: 90 /* EMSGSIZE */ };
      responseBuffer.set(answer);
      view.setBigUint64(24, options.reportLength?.(answer.byteLength) ?? BigInt(answer.byteLength), true);
      return { result: 0, errno: 0 };
    },
  };
}
