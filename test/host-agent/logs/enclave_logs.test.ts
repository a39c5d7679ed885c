import { test } from "uvu";
import * as assert from "uvu/assert";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { startSigner } from "../../../local/start_signer_node.ts";
import type { Service } from "../../../local/spawn_service_node.ts";
import { serveEnclaveLogs } from "../../../host-agent/logs/serve_enclave_logs_node.ts";
import { createSignerClient } from "../../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { waitFor } from "../helpers/fake_enclave.ts";

// The enclave's log path end to end, as on an instance but over a Unix socket or TCP (no vsock here): the real
// Deno signer with --log-to, the host-agent's receiver (serveEnclaveLogs), and the file the CloudWatch agent reads.
const MARKER = "c0ffee".repeat(6); // in request params only: must never reach a log line
const readLines = async (file: string) =>
  (await readFile(file, "utf8").catch(() => "")).split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

test("the signer's log lines reach the parent's file over a Unix socket: events, methods and codes, never params", async () => {
  const dir = await tempDir("enclave-logs-");
  let signer: Service | undefined;
  try {
    const socket = join(dir.path, "logs.sock");
    const file = join(dir.path, "log", "signer.log");
    const receiver = await serveEnclaveLogs(nodeTransport, { transport: "unix", path: socket }, file);
    const started = await startSigner({ listen: `unix://${join(dir.path, "signer.sock")}`, args: ["--mode", "dev", "--log-to", `unix://${socket}`] });
    signer = started.service;
    const client = createSignerClient(() => nodeTransport.connect(parseSignerAddress(started.address)));
    const { address } = await client.request("keys.generate", { label: "logs" });
    const refused = await client.request("sign.transaction", {
      address,
      transaction: { type: "0x2", chainId: "0x1", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: address, value: "0x0", data: `0x${MARKER}`, input: `0x${MARKER}00` },
    }).catch((error: { code: string }) => error.code);
    assert.type(refused, "string", "data and input that differ are refused");
    client.close();

    const lines = await waitFor(async () => {
      const l = await readLines(file);
      return l.some((x) => x.event === "refused") ? l : undefined;
    }, "the refusal in the file", 20_000);
    const listening = lines.find((l) => l.event === "listening")!;
    assert.is(listening.service, "signer");
    assert.is(listening.mode, "dev");
    const refusal = lines.find((l) => l.event === "refused")!;
    assert.equal([refusal.service, refusal.method, refusal.code], ["signer", "sign.transaction", refused]);
    const text = await readFile(file, "utf8");
    assert.not.ok(text.includes(MARKER), "no params in the log");
    assert.not.ok(text.includes(address.slice(2).toLowerCase()) || text.includes(address.slice(2)), "no account in the log");
    receiver.close();
    await receiver.done;
  } finally {
    await signer?.stop();
    await dir.remove();
  }
});

test("with no receiver the signer serves as usual; its lines arrive over TCP once the receiver starts, and it survives the receiver going away", async () => {
  const dir = await tempDir("enclave-logs-");
  let signer: Service | undefined;
  try {
    const probe = await nodeTransport.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
    const logAddress = probe.address;
    probe.close();
    const logUrl = `tcp://127.0.0.1:${logAddress.transport === "tcp" ? logAddress.port : 0}`;
    const started = await startSigner({ listen: "tcp://127.0.0.1:0", args: ["--mode", "dev", "--log-to", logUrl, "--workers", "1"] });
    signer = started.service;
    const client = createSignerClient(() => nodeTransport.connect(parseSignerAddress(started.address)));
    assert.is((await client.request("describe", {})).name, "nitro-eth-signer");
    await client.call("keys.unload", { address: "not an address" }).catch(() => {});

    const file = join(dir.path, "signer.log");
    const receiver = await serveEnclaveLogs(nodeTransport, logAddress, file);
    const lines = await waitFor(async () => {
      const l = await readLines(file);
      return l.some((x) => x.event === "refused") ? l : undefined;
    }, "the buffered lines", 30_000);
    assert.ok(lines.some((l) => l.event === "listening"), "the line written before the receiver existed");
    assert.equal(lines.find((l) => l.event === "refused")!.method, "keys.unload");

    receiver.close();
    await receiver.done;
    for (let i = 0; i < 20; i++) await client.call("keys.unload", { address: "still not" }).catch(() => {});
    assert.is((await client.request("describe", {})).workers, 1, "the signer still answers");
    client.close();
  } finally {
    await signer?.stop();
    await dir.remove();
  }
});

test.run();
