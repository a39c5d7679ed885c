import { createNsmClient } from "./create_nsm_client.ts";
import type { Nsm } from "./nsm.ts";
import { NsmError } from "./nsm_error.ts";
import { nsmIoctl, type NsmSyscalls } from "./nsm_ioctl.ts";

/** The real NSM: an `Nsm` over `/dev/nsm`, plus `close()` for its file descriptor. */
export type DeviceNsm = Nsm & { readonly kind: "device"; close(): void };

/**
 * Builds the device NSM over an open `/dev/nsm` descriptor and the ioctl primitives. Runtime-neutral: the Deno
 * adapter (`nsm_device_deno.ts`) only opens the device and supplies FFI primitives; tests supply fakes. Calls
 * after `close()` fail with `NsmError("InvalidOperation")`.
 *
 * @example
 * ```ts
 * const nsm = createDeviceNsm(fd, syscalls, { close: () => libc.symbols.close(fd) });
 * ```
 */
export function createDeviceNsm(fd: number, syscalls: NsmSyscalls, options: { close?: () => void } = {}): DeviceNsm {
  if (!Number.isInteger(fd) || fd < 0) throw new RangeError(`Cannot create device NSM: bad file descriptor ${fd}`);
  if (typeof syscalls?.ioctl !== "function" || typeof syscalls.addressOf !== "function") {
    throw new TypeError("Cannot create device NSM: syscalls need ioctl and addressOf");
  }
  let open = true;
  const client = createNsmClient((request) => {
    if (!open) throw new NsmError("InvalidOperation", "the NSM device is closed");
    return nsmIoctl(fd, request, syscalls);
  }, { kind: "device" });
  return {
    ...client,
    kind: "device",
    close() {
      if (!open) return;
      open = false;
      options.close?.();
    },
  };
}
