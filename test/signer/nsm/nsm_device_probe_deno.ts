// Run by nsm_device.test.ts under Deno: exercises the real FFI path of nsm_device_deno.ts (dlopen, open,
// blocking ioctl, errno) against files that are not an NSM, and prints what happened as JSON.
import { openDeviceNsm } from "../../../signer/nsm/nsm_device_deno.ts";
import { NsmError } from "../../../signer/nsm/nsm_error.ts";

const results: Record<string, unknown> = {};
for (const [name, path] of [["missing", "/nonexistent/nsm"], ["devnull", "/dev/null"]] as const) {
  try {
    const nsm = openDeviceNsm({ path });
    results[`${name}.kind`] = nsm.kind;
    try {
      await nsm.getRandom();
      results[name] = "no error";
    } catch (error) {
      results[name] = error instanceof NsmError ? { reason: error.reason, errno: error.errno } : String(error);
    }
    nsm.close();
    try {
      await nsm.getRandom();
    } catch (error) {
      results[`${name}.closed`] = error instanceof NsmError ? error.reason : String(error);
    }
  } catch (error) {
    results[name] = error instanceof NsmError ? { reason: error.reason, errno: error.errno, opened: false } : String(error);
  }
}
console.log(JSON.stringify(results));
