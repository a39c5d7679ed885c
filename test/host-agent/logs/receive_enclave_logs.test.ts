import { test } from "uvu";
import * as assert from "uvu/assert";
import { receiveEnclaveLogs } from "../../../host-agent/logs/receive_enclave_logs.ts";
import type { Conn, Listener } from "../../../signer/transport/transport.ts";

/** A listener that yields one connection whose bytes arrive in the given chunks. */
function oneConnection(chunks: string[]): Listener {
  const encoder = new TextEncoder();
  const conn: Conn = {
    readable: { async *[Symbol.asyncIterator]() { for (const c of chunks) yield encoder.encode(c); } },
    write: async () => {},
    close() {},
  };
  return { address: { transport: "tcp", hostname: "127.0.0.1", port: 0 }, close() {}, async *[Symbol.asyncIterator]() { yield conn; } };
}

async function receive(chunks: string[], maxLineBytes?: number) {
  let text = "";
  const events: Record<string, unknown>[] = [];
  await receiveEnclaveLogs(oneConnection(chunks), {
    append: (t) => void (text += t),
    log: (e) => void events.push(e),
    ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
  });
  return { text, events };
}

test("receiveEnclaveLogs() writes whole JSON-object lines, joined across chunks, one object per file line", async () => {
  const { text, events } = await receive(['{"a":1}\n{"b"', ':2}\n\n{ "c" : 3 }\n{"d":4']);
  assert.is(text, '{"a":1}\n{"b":2}\n{"c":3}\n', "the unterminated last line is not written");
  assert.equal(events.at(-1), { event: "enclave-logs-disconnected", lines: 3 });
});

test("receiveEnclaveLogs() discards and counts what is not one JSON object, and lines over the limit", async () => {
  const long = `{"x":"${"y".repeat(200)}"}`;
  const { text, events } = await receive(["not json\n", "[1,2]\n", "42\n", `${long.slice(0, 150)}`, `${long.slice(150)}\n{"ok":true}\n`, `{"z":"${"w".repeat(300)}`, `"}\n{"after":1}\n`], 100);
  assert.is(text, '{"ok":true}\n{"after":1}\n');
  assert.equal(events.at(-1), { event: "enclave-logs-disconnected", lines: 2, discarded: 5 });
});

test.run();
