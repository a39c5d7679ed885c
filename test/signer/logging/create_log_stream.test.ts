import { test } from "uvu";
import * as assert from "uvu/assert";
import { join } from "node:path";
import { createLogStream } from "../../../signer/logging/create_log_stream.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import type { Conn, Listener, Transport } from "../../../signer/transport/transport.ts";
import { receiveEnclaveLogs } from "../../../host-agent/logs/receive_enclave_logs.ts";
import { tempDir } from "../../helpers/temp_dir.ts";
import { waitFor } from "../../host-agent/helpers/fake_enclave.ts";

const line = (n: number) => JSON.stringify({ service: "signer", event: "e", n });

/** The host-agent's receiver on a real socket, collecting what it would append to the file. */
async function receiver(listener: Listener) {
  const received: Record<string, unknown>[] = [];
  const done = receiveEnclaveLogs(listener, {
    append: (text) => void received.push(...text.trimEnd().split("\n").map((l) => JSON.parse(l))),
  });
  return { received, close: async () => (listener.close(), await done) };
}

test("createLogStream() delivers lines to the host-agent's receiver over TCP", async () => {
  const listener = await nodeTransport.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
  const r = await receiver(listener);
  const stream = createLogStream(nodeTransport, listener.address);
  stream.write(line(1));
  stream.write(line(2));
  await waitFor(() => r.received.length === 2, "2 lines", 10_000);
  assert.equal(r.received.map((l) => l.n), [1, 2]);
  stream.close();
  await r.close();
});

test("createLogStream() delivers lines in order to the host-agent's receiver over a Unix socket", async () => {
  const dir = await tempDir("logstream-");
  try {
    const address = { transport: "unix", path: join(dir.path, "logs.sock") } as const;
    const r = await receiver(await nodeTransport.listen(address));
    const stream = createLogStream(nodeTransport, address);
    for (let n = 0; n < 500; n++) stream.write(line(n));
    stream.write('{"multi":"line\nbreak"}'); // a line break inside a line cannot split it
    await waitFor(() => r.received.length === 501, "500 lines", 10_000);
    assert.equal(r.received.slice(0, 500).map((l) => l.n), [...Array(500).keys()]);
    assert.equal(r.received[500], { multi: "line break" });
    assert.is(stream.dropped, 0);
    stream.close();
    await r.close();
  } finally {
    await dir.remove();
  }
});

test("createLogStream() with no receiver: write() returns at once, the buffer stays bounded, and the drop count arrives first once a receiver listens", async () => {
  const dir = await tempDir("logstream-");
  try {
    const address = { transport: "unix", path: join(dir.path, "late.sock") } as const;
    const stream = createLogStream(nodeTransport, address, { maxBufferedBytes: 4096, retry: { initialMs: 20, maxMs: 100 } });
    const started = performance.now();
    for (let n = 0; n < 10_000; n++) stream.write(line(n));
    assert.ok(performance.now() - started < 2_000, "write() never waits for the receiver");
    const kept = 10_000 - stream.dropped;
    assert.ok(kept > 50 && kept * 30 <= 4096, `about 4 KiB of lines kept (${kept})`);
    const r = await receiver(await nodeTransport.listen(address));
    await waitFor(() => r.received.length === kept + 1, "the kept lines and the drop report", 10_000);
    assert.equal(r.received[0]!.event, "log-lines-dropped");
    assert.is(r.received[0]!.count, 10_000 - kept);
    assert.equal(r.received.slice(1).map((l) => l.n), [...Array(kept).keys()], "the oldest lines are the ones kept");
    stream.write(line(-1));
    await waitFor(() => r.received.at(-1)!.n === -1, "a later line", 10_000);
    stream.close();
    await r.close();
  } finally {
    await dir.remove();
  }
});

test("createLogStream() with a receiver that never reads: writes stay instant, lines beyond the buffer are dropped and counted", async () => {
  let writes = 0;
  const stuck: Conn = {
    readable: { async *[Symbol.asyncIterator]() {} },
    write: () => (writes++, new Promise<void>(() => {})), // the receiver's window is full, for ever
    close() {},
  };
  const transport: Transport = { listen: () => Promise.reject(new Error("unused")), connect: async () => stuck };
  const stream = createLogStream(transport, { transport: "tcp", hostname: "127.0.0.1", port: 1 }, { maxBufferedBytes: 2048 });
  for (let n = 0; n < 1000; n++) stream.write(line(n));
  await new Promise((r) => setTimeout(r, 20));
  for (let n = 0; n < 1000; n++) stream.write(line(n));
  assert.is(writes, 1, "one write in flight, never a second one piled on");
  assert.ok(stream.dropped > 1800, `dropped ${stream.dropped}`);
  stream.close();
  stream.write(line(0)); // after close: ignored, no throw
});

test("createLogStream() refuses a buffer too small to hold a line", () => {
  assert.throws(() => createLogStream(nodeTransport, { transport: "tcp", hostname: "127.0.0.1", port: 1 }, { maxBufferedBytes: 10 }), /maxBufferedBytes/);
});

test.run();
