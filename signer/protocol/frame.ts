import { decode, encode } from "cborg";
import { ErrorCode } from "./error_codes.ts";
import { FrameError } from "./frame_errors.ts";

/** DESIGN §4: frames above 1 MiB are refused. */
export const MAX_FRAME_BYTES = 1024 * 1024;
const HEADER_BYTES = 4;

/**
 * Encodes one message as a frame: a 4-byte big-endian length, then one CBOR item (DESIGN §4).
 *
 * @example
 * ```ts
 * const bytes = encodeFrame({ id: 1, method: "describe", params: {} });
 * ```
 */
export function encodeFrame(message: unknown, options: { maxFrameBytes?: number } = {}): Uint8Array {
  const body = encode(message);
  const max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  if (body.length > max) {
    throw new FrameError(ErrorCode.frameTooLarge, `Cannot write frame: length ${body.length} exceeds ${max}`);
  }
  const frame = new Uint8Array(HEADER_BYTES + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, HEADER_BYTES);
  return frame;
}

export type FrameDecoder = {
  /** Adds bytes from the stream and returns every message completed by them, in order. Throws FrameError. */
  push(chunk: Uint8Array): unknown[];
  /** Call at end of stream: throws FrameError (TRUNCATED_FRAME) if a frame was cut off. */
  end(): void;
};

/**
 * Creates an incremental decoder for a byte stream of frames. Chunks may split frames (and their length
 * prefixes) anywhere; a chunk may hold many frames.
 *
 * @example
 * ```ts
 * const decoder = createFrameDecoder();
 * for await (const chunk of conn.readable) for (const msg of decoder.push(chunk)) handle(msg);
 * decoder.end();
 * ```
 */
export function createFrameDecoder(options: { maxFrameBytes?: number } = {}): FrameDecoder {
  const max = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  let buffer: Uint8Array = new Uint8Array(0);

  return {
    push(chunk) {
      buffer = buffer.length === 0 ? chunk : concat(buffer, chunk);
      const messages: unknown[] = [];
      let offset = 0;
      while (buffer.length - offset >= HEADER_BYTES) {
        const view = new DataView(buffer.buffer, buffer.byteOffset + offset, HEADER_BYTES);
        const length = view.getUint32(0);
        if (length === 0) throw new FrameError(ErrorCode.frameTooLarge, "Cannot read frame: length 0");
        if (length > max) {
          throw new FrameError(ErrorCode.frameTooLarge, `Cannot read frame: length ${length} exceeds ${max}`);
        }
        if (buffer.length - offset - HEADER_BYTES < length) break;
        const body = buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
        offset += HEADER_BYTES + length;
        try {
          messages.push(decode(body, { useMaps: false }));
        } catch (cause) {
          throw new FrameError(ErrorCode.badFrame, "Cannot decode frame: not one well-formed CBOR item", { cause });
        }
      }
      // Keep only the unread tail; copy it so a large consumed chunk is not pinned in memory.
      buffer = offset === 0 ? buffer : buffer.slice(offset);
      return messages;
    },
    end() {
      if (buffer.length > 0) {
        throw new FrameError(ErrorCode.truncatedFrame, `Cannot read frame: stream ended after ${buffer.length} bytes of a frame`);
      }
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
