// The real NSM from Deno (DESIGN §5): libc through FFI, blocking calls so errno is read on the thread that made
// the call (a `nonblocking` FFI call runs on another thread and would read the wrong errno). Everything but
// dlopen/open/ioctl/close lives in runtime-neutral code (`create_device_nsm.ts`, `nsm_ioctl.ts`).
// ioctl is variadic in C; passing the message pointer as a fixed third argument is what glibc's syscall wrapper
// reads on both x86-64 and aarch64 Linux.
import { createDeviceNsm, type DeviceNsm } from "./create_device_nsm.ts";
import { NsmError } from "./nsm_error.ts";

const O_RDWR = 0o2;
const O_CLOEXEC = 0o2000000;

/**
 * Opens `/dev/nsm` and returns the device `Nsm`. Needs `--allow-ffi`; fails with `NsmError` (errno set) when
 * there is no NSM, i.e. outside a Nitro Enclave.
 *
 * @example
 * ```ts
 * const nsm = openDeviceNsm();
 * const document = await nsm.attest({ publicKey });
 * ```
 */
export function openDeviceNsm(options: { path?: string } = {}): DeviceNsm {
  const path = options.path ?? "/dev/nsm";
  const libc = Deno.dlopen("libc.so.6", {
    open: { parameters: ["buffer", "i32"], result: "i32" },
    ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
    close: { parameters: ["i32"], result: "i32" },
    __errno_location: { parameters: [], result: "pointer" },
  });
  const errno = (): number => new Deno.UnsafePointerView(libc.symbols.__errno_location()!).getInt32();
  const fd = libc.symbols.open(new TextEncoder().encode(`${path}\0`), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    const code = errno();
    libc.close();
    throw new NsmError("InternalError", `cannot open ${path}: errno ${code}`, { errno: code });
  }
  return createDeviceNsm(fd, {
    addressOf: (buffer) => BigInt(Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer as Uint8Array<ArrayBuffer>))),
    ioctl: (descriptor, request, message) => {
      const result = libc.symbols.ioctl(descriptor, request, message as Uint8Array<ArrayBuffer>);
      return { result, errno: result === 0 ? 0 : errno() };
    },
  }, {
    close: () => {
      libc.symbols.close(fd);
      libc.close();
    },
  });
}
