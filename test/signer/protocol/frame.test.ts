import { test } from "uvu";
import * as assert from "uvu/assert";
import { encode } from "cborg";
import { createFrameDecoder, encodeFrame, MAX_FRAME_BYTES } from "../../../signer/protocol/frame.ts";
import { FrameError } from "../../../signer/protocol/frame_errors.ts";

const header = (n: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n);
  return b;
};

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    assert.instance(error, FrameError);
    return (error as FrameError).code;
  }
  return undefined;
}

test("encodeFrame() writes a big-endian length and one CBOR item", () => {
  const frame = encodeFrame({ id: 1, method: "describe" });
  const body = encode({ id: 1, method: "describe" });
  assert.equal([...frame.subarray(0, 4)], [0, 0, 0, body.length]);
  assert.equal([...frame.subarray(4)], [...body]);
});

test("the decoder reassembles frames split at every byte boundary", () => {
  const messages = [{ id: 1, method: "a" }, { id: 2, method: "b", params: { x: new Uint8Array([1, 2]) } }];
  const bytes = new Uint8Array([...encodeFrame(messages[0]), ...encodeFrame(messages[1])]);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const decoder = createFrameDecoder();
    const out = [...decoder.push(bytes.slice(0, cut)), ...decoder.push(bytes.slice(cut))];
    assert.equal(out, messages, `cut at ${cut}`);
    decoder.end();
  }
});

test("the decoder returns many frames from one chunk, in order", () => {
  const chunks = Array.from({ length: 50 }, (_, i) => encodeFrame({ id: i, method: "m" }));
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  chunks.reduce((offset, c) => (all.set(c, offset), offset + c.length), 0);
  const out = createFrameDecoder().push(all) as { id: number }[];
  assert.equal(out.map((m) => m.id), Array.from({ length: 50 }, (_, i) => i));
});

test("a zero-length frame is refused", () => {
  assert.is(code(() => createFrameDecoder().push(header(0))), "FRAME_TOO_LARGE");
});

test("a frame over 1 MiB is refused from its length prefix alone", () => {
  assert.is(code(() => createFrameDecoder().push(header(MAX_FRAME_BYTES + 1))), "FRAME_TOO_LARGE");
  assert.is(code(() => encodeFrame({ blob: new Uint8Array(MAX_FRAME_BYTES) })), "FRAME_TOO_LARGE");
});

test("a frame of exactly 1 MiB is accepted", () => {
  const body = encode(new Uint8Array(MAX_FRAME_BYTES - 5)); // 5-byte bstr header
  assert.is(body.length, MAX_FRAME_BYTES);
  const out = createFrameDecoder().push(new Uint8Array([...header(body.length), ...body]));
  assert.is((out[0] as Uint8Array).length, MAX_FRAME_BYTES - 5);
});

test("garbage that is not CBOR is BAD_FRAME", () => {
  assert.is(code(() => createFrameDecoder().push(new Uint8Array([...header(3), 0xff, 0xff, 0xff]))), "BAD_FRAME");
});

test("two CBOR items in one frame are BAD_FRAME", () => {
  const two = new Uint8Array([...encode(1), ...encode(2)]);
  assert.is(code(() => createFrameDecoder().push(new Uint8Array([...header(two.length), ...two]))), "BAD_FRAME");
});

test("a stream that ends inside a frame is TRUNCATED_FRAME", () => {
  const decoder = createFrameDecoder();
  decoder.push(encodeFrame({ id: 1, method: "describe" }).subarray(0, 7));
  assert.is(code(() => decoder.end()), "TRUNCATED_FRAME");
});

test.run();
