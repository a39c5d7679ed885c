/// <reference lib="deno.ns" />
/**
 * Runs the transport contract under Deno for `denoTransport` (the production transport): TCP and Unix sockets
 * always; vsock only when VSOCK_CONTRACT_PORT is set, on a machine whose kernel has vsock loopback
 * (`modprobe vsock_loopback`) — never here, where the vsock cases are type-checked only. Prints one JSON line
 * per case (`{"name","ok","error"?}`) and exits 1 if any failed. Run by `transport_deno.test.ts`, or by hand:
 * `deno run --unstable-vsock --allow-net --allow-read --allow-write --allow-env test/signer/transport/transport_contract_deno.ts`
 */
import { denoTransport } from "../../../signer/transport/transport_deno.ts";
import { transportContract, type ContractCase } from "./transport_contract.ts";

const dir = await Deno.makeTempDir({ prefix: "transport-" });
let n = 0;
const cases: ContractCase[] = [
  ...transportContract("deno tcp", denoTransport, () => ({ transport: "tcp", hostname: "127.0.0.1", port: 0 })),
  ...transportContract("deno unix", denoTransport, () => ({ transport: "unix", path: `${dir}/s${n++}.sock` })),
];
const vsockPort = Deno.env.get("VSOCK_CONTRACT_PORT");
if (vsockPort) {
  let port = Number(vsockPort);
  cases.push(...transportContract(
    "deno vsock",
    denoTransport,
    () => ({ transport: "vsock", cid: -1, port: port++ }),
    (bound) => ({ ...bound, cid: 1 }), // VMADDR_CID_LOCAL
  ));
}

let failed = 0;
for (const c of cases) {
  try {
    await c.run();
    console.log(JSON.stringify({ name: c.name, ok: true }));
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ name: c.name, ok: false, error: String((error as Error)?.stack ?? error) }));
  }
}
await Deno.remove(dir, { recursive: true });
Deno.exit(failed ? 1 : 0);
