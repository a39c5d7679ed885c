import { encodeFrame, createFrameDecoder } from "../protocol/frame.ts";
import { FrameError } from "../protocol/frame_errors.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { Response } from "../protocol/messages.ts";
import type { Conn } from "../transport/transport.ts";
import { handleRequest, type HandleRequestOptions, type MethodTable } from "./handle_request.ts";

export type ServeConnectionOptions = HandleRequestOptions & {
  maxFrameBytes?: number;
};

/**
 * Serves one connection: reads frames, runs every request concurrently (pipelining) and writes each
 * response as soon as it is ready, so answers may come back out of order (matched by id). A frame that cannot
 * be read gets one error frame with id null, then the connection is closed; the process and other connections
 * are unaffected. A response that cannot be sent (over the frame limit) is replaced by INTERNAL for its id.
 * Resolves when the connection ends.
 *
 * @example
 * ```ts
 * for await (const conn of listener) serveConnection(conn, methods);
 * ```
 */
export async function serveConnection(conn: Conn, methods: MethodTable, options: ServeConnectionOptions = {}): Promise<void> {
  const decoder = createFrameDecoder(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes });
  const handlerOptions: HandleRequestOptions = {
    ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
    ...(options.onRefusal ? { onRefusal: options.onRefusal } : {}),
  };
  let open = true;
  const send = (response: Response) => {
    if (!open) return Promise.resolve();
    let frame: Uint8Array;
    try {
      frame = encodeFrame(response);
    } catch (error) {
      // A response over the frame limit fails its request alone; a throw here would take the process down.
      options.onInternalError?.(error, "response");
      frame = encodeFrame({ id: response.id, error: { code: ErrorCode.internal, message: "Internal error: the response cannot be sent" } });
    }
    return conn.write(frame).catch(() => {
      open = false;
    });
  };
  const inFlight = new Set<Promise<void>>();
  // Iterate by hand: leaving a for-await early cancels the stream, and in Deno that closes the connection
  // before the error frame is written.
  const chunks = conn.readable[Symbol.asyncIterator]();
  try {
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
      for (const message of decoder.push(next.value)) {
        const p = handleRequest(methods, message, handlerOptions).then(send);
        inFlight.add(p);
        p.finally(() => inFlight.delete(p));
      }
    }
    decoder.end();
  } catch (error) {
    const frameError = error instanceof FrameError
      ? error
      : new FrameError(ErrorCode.badFrame, "Cannot read frame: connection failed", { cause: error });
    await send({ id: null, error: { code: frameError.code, message: frameError.shortMessage } });
  } finally {
    await Promise.allSettled(inFlight);
    open = false;
    conn.close();
  }
}
