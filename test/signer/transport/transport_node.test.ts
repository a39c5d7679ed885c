import { test } from "uvu";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { transportContract } from "./transport_contract.ts";

// Node's transport (the rpc-proxy and host-agent in tests) through the shared contract, over TCP and Unix sockets.
const dir = mkdtempSync(join(tmpdir(), "transport-"));
let n = 0;
const cases = [
  ...transportContract("node tcp", nodeTransport, () => ({ transport: "tcp", hostname: "127.0.0.1", port: 0 })),
  ...transportContract("node unix", nodeTransport, () => ({ transport: "unix", path: join(dir, `s${n++}.sock`) })),
];
for (const c of cases) test(c.name, c.run);

test("node: vsock is refused with a clear reason (Node has no AF_VSOCK)", async () => {
  const { rejects } = await import("node:assert/strict");
  await rejects(nodeTransport.listen({ transport: "vsock", cid: -1, port: 5000 }), /Node has no AF_VSOCK/);
  await rejects(nodeTransport.connect({ transport: "vsock", cid: 16, port: 5000 }), /Node has no AF_VSOCK/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
