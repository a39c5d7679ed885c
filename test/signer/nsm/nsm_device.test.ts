import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { createDeviceNsm } from "../../../signer/nsm/create_device_nsm.ts";
import { createSimulatedNsm } from "../../../signer/nsm/simulated/nsm_simulated.ts";
import { NsmError } from "../../../signer/nsm/nsm_error.ts";
import { fakeNsmSyscalls } from "./fake_nsm_syscalls.ts";
import { runNsmContract } from "./nsm_contract.ts";

// The device NSM exactly as nsm_device_deno.ts builds it, with the fake driver in place of FFI; behind the
// fake driver sits the simulated NSM's CBOR device, so the contract runs end to end through the ioctl message.
runNsmContract({
  name: "device (fake ioctl → simulated device)",
  make: async () => {
    const device = await createSimulatedNsm();
    const nsm = createDeviceNsm(3, fakeNsmSyscalls((request) => device.handle(request)));
    return { nsm, roots: [device.rootCertificatePem] };
  },
});

test("createDeviceNsm() refuses calls after close() and closes once", async () => {
  let closed = 0;
  const device = await createSimulatedNsm();
  const nsm = createDeviceNsm(3, fakeNsmSyscalls((r) => device.handle(r)), { close: () => closed++ });
  assert.is((await nsm.getRandom()).byteLength, 256);
  nsm.close();
  nsm.close();
  assert.is(closed, 1);
  try {
    await nsm.getRandom();
    assert.unreachable("should throw");
  } catch (error) {
    assert.instance(error, NsmError);
    assert.is((error as NsmError).reason, "InvalidOperation");
  }
});

test("createDeviceNsm() turns a driver failure into NsmError with errno", async () => {
  const nsm = createDeviceNsm(3, fakeNsmSyscalls(() => new Uint8Array(), { fail: () => 5 }));
  try {
    await nsm.describe();
    assert.unreachable("should throw");
  } catch (error) {
    assert.instance(error, NsmError);
    assert.is((error as NsmError).errno, 5);
  }
});

const root = fileURLToPath(new URL("../../../", import.meta.url));
test("openDeviceNsm() under Deno: real FFI open/ioctl/errno against files that are not an NSM", async () => {
  const deno = `${root}node_modules/.bin/deno`;
  const { stdout } = await promisify(execFile)(deno, ["run", "--quiet", "--allow-ffi", "--allow-read", "test/signer/nsm/nsm_device_probe_deno.ts"], {
    cwd: root,
    timeout: 120_000,
  });
  const results = JSON.parse(stdout.trim().split("\n").pop()!);
  assert.equal(results.missing, { reason: "InternalError", errno: 2, opened: false }, "ENOENT from open()");
  assert.is(results["devnull.kind"], "device");
  assert.equal(results.devnull, { reason: "InternalError", errno: 25 }, "ENOTTY from ioctl() on /dev/null");
  assert.is(results["devnull.closed"], "InvalidOperation");
});

test.run();
