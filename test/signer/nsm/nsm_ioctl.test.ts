import { test } from "uvu";
import * as assert from "uvu/assert";
import { EMSGSIZE, NSM_IOCTL_REQUEST, nsmIoctl } from "../../../signer/nsm/nsm_ioctl.ts";
import { NsmError } from "../../../signer/nsm/nsm_error.ts";
import { fakeNsmSyscalls } from "./fake_nsm_syscalls.ts";

const echo = (prefix: number) => (request: Uint8Array) => new Uint8Array([prefix, ...request]);

async function nsmErrorOf(promise: Promise<unknown>): Promise<NsmError> {
  try {
    await promise;
  } catch (error) {
    assert.instance(error, NsmError, String(error));
    return error as NsmError;
  }
  return assert.unreachable("expected NsmError") as never;
}

test("NSM_IOCTL_REQUEST is _IOWR(0x0A, 0, 32)", () => {
  const IOC_READ_WRITE = 3n;
  assert.is(NSM_IOCTL_REQUEST, (IOC_READ_WRITE << 30n) | (32n << 16n) | (0x0an << 8n) | 0n);
  assert.is(NSM_IOCTL_REQUEST, 0xc0200a00n);
});

test("nsmIoctl() packs { req_addr, req_len, resp_addr, resp_len } little-endian into 32 bytes", async () => {
  const driver = fakeNsmSyscalls(echo(0xaa));
  const request = new Uint8Array([1, 2, 3, 4, 5]);
  await nsmIoctl(7, request, driver);
  const [call] = driver.calls;
  assert.ok(call);
  assert.is(call.fd, 7);
  assert.is(call.request, 0xc0200a00n);
  assert.is(call.messageLength, 32);
  assert.is(call.requestLength, 5n);
  assert.is(call.responseLength, 0x3000n, "response buffer capacity");
  assert.is.not(call.requestAddress, call.responseAddress);
  assert.equal(call.requestBytes, request);
  assert.is(driver.buffers.get(call.responseAddress)?.byteLength, 0x3000);
});

test("nsmIoctl() returns exactly resp_len bytes as rewritten by the driver", async () => {
  const driver = fakeNsmSyscalls(echo(0xaa));
  const response = await nsmIoctl(3, new Uint8Array([9, 8]), driver);
  assert.equal(response, new Uint8Array([0xaa, 9, 8]));
});

test("nsmIoctl() copies the request and zeroes its scratch buffers afterwards", async () => {
  const driver = fakeNsmSyscalls(() => new Uint8Array(256).fill(0x42));
  const request = new Uint8Array([1, 2, 3]);
  const response = await nsmIoctl(3, request, driver);
  assert.is(response.byteLength, 256);
  assert.ok(response.every((b) => b === 0x42), "caller's copy intact");
  const [call] = driver.calls;
  assert.ok(driver.buffers.get(call!.responseAddress)!.every((b) => b === 0), "scratch response zeroed");
  assert.ok(driver.buffers.get(call!.requestAddress)!.every((b) => b === 0), "scratch request zeroed");
  assert.equal(request, new Uint8Array([1, 2, 3]), "caller's request untouched");
});

test("nsmIoctl() refuses a request over 0x1000 bytes without calling the driver", async () => {
  const driver = fakeNsmSyscalls(echo(0));
  const error = await nsmErrorOf(nsmIoctl(3, new Uint8Array(0x1001), driver));
  assert.is(error.reason, "InputTooLarge");
  assert.is(driver.calls.length, 0);
  await nsmIoctl(3, new Uint8Array(0x1000), driver); // the limit itself is fine
});

test("nsmIoctl() maps errno: EMSGSIZE → InputTooLarge, others → InternalError with errno", async () => {
  const tooBig = await nsmErrorOf(nsmIoctl(3, new Uint8Array([1]), fakeNsmSyscalls(echo(0), { fail: () => EMSGSIZE })));
  assert.is(tooBig.reason, "InputTooLarge");
  assert.is(tooBig.errno, 90);
  const io = await nsmErrorOf(nsmIoctl(3, new Uint8Array([1]), fakeNsmSyscalls(echo(0), { fail: () => 5 })));
  assert.is(io.reason, "InternalError");
  assert.is(io.errno, 5);
  assert.is(io.code, "NSM_ERROR");
});

test("nsmIoctl() refuses a resp_len of 0 or beyond the buffer (InvalidResponse)", async () => {
  for (const reported of [0n, 0x3001n, 1n << 63n]) {
    const driver = fakeNsmSyscalls(echo(0), { reportLength: () => reported });
    assert.is((await nsmErrorOf(nsmIoctl(3, new Uint8Array([1]), driver))).reason, "InvalidResponse");
  }
});

test("nsmIoctl() checks its arguments", async () => {
  const driver = fakeNsmSyscalls(echo(0));
  for (const [fd, request, type] of [[-1, new Uint8Array([1]), RangeError], [1.5, new Uint8Array([1]), RangeError], [3, new Uint8Array(), TypeError]] as const) {
    try {
      await nsmIoctl(fd, request, driver);
      assert.unreachable("should throw");
    } catch (error) {
      assert.instance(error, type);
    }
  }
});

test.run();
