import { BaseError } from "./base_error.ts";
import { ErrorCode } from "./error_codes.ts";
import { createFrameDecoder, encodeFrame } from "./frame.ts";
import type { Response, SignerMethods } from "./messages.ts";
import type { Conn } from "../transport/transport.ts";

/** The signer answered with an error frame; `code` is the signer's stable code. */
export class SignerRequestError extends BaseError {
  override readonly name = "Protocol.SignerRequestError";
  constructor(code: string, message: string, data?: unknown) {
    super(code, message, data === undefined ? {} : { data });
  }
}

/** The signer could not be reached, the connection dropped, or it did not answer in time. */
export class SignerUnavailableError extends BaseError {
  override readonly name = "Protocol.SignerUnavailableError";
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(ErrorCode.unavailable, message, options);
  }
}

export type SignerClient = {
  request<M extends keyof SignerMethods>(method: M, params: SignerMethods[M]["params"]): Promise<SignerMethods[M]["result"]>;
  /** Sends any method (for methods added after this type, and for tests of bad input). */
  call(method: string, params?: unknown): Promise<unknown>;
  close(): void;
};

export type CreateSignerClientOptions = {
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
};

type Pending = { resolve(value: unknown): void; reject(error: unknown): void; timer: ReturnType<typeof setTimeout> };

/**
 * A pipelining client for the enclave protocol over one persistent connection: many requests in flight,
 * answers matched by id. The connection is opened on first use and re-opened after it drops; requests in
 * flight when it drops fail with SignerUnavailableError (the caller decides whether a retry is safe).
 *
 * @example
 * ```ts
 * const signer = createSignerClient(() => nodeTransport.connect(address));
 * const { raw } = await signer.request("sign.transaction", { address, transaction });
 * ```
 */
export function createSignerClient(connect: () => Promise<Conn>, options: CreateSignerClientOptions = {}): SignerClient {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let connection: Promise<Conn> | undefined;
  let closed = false;

  const failAll = (error: unknown) => {
    for (const [id, p] of pending) {
      clearTimeout(p.timer);
      pending.delete(id);
      p.reject(error);
    }
  };

  const open = (): Promise<Conn> => {
    if (connection) return connection;
    const attempt = connect().then(
      (conn) => {
        readLoop(conn, attempt);
        return conn;
      },
      (cause) => {
        if (connection === attempt) connection = undefined;
        throw new SignerUnavailableError("Cannot reach the signer", { cause });
      },
    );
    connection = attempt;
    return attempt;
  };

  const readLoop = async (conn: Conn, attempt: Promise<Conn>) => {
    const decoder = createFrameDecoder();
    let failure: unknown = new SignerUnavailableError("Signer connection closed");
    try {
      for await (const chunk of conn.readable) {
        for (const message of decoder.push(chunk)) settle(message as Response);
      }
    } catch (cause) {
      failure = new SignerUnavailableError("Signer connection failed", { cause });
    }
    if (connection === attempt) connection = undefined;
    conn.close();
    failAll(failure);
  };

  const settle = (response: Response) => {
    if (response.id === null || response.id === undefined) {
      // The signer could not read one of our frames and closes the connection; the read loop fails the rest.
      return;
    }
    const p = pending.get(response.id);
    if (!p) return;
    pending.delete(response.id);
    clearTimeout(p.timer);
    if ("error" in response) p.reject(new SignerRequestError(response.error.code, response.error.message, response.error.data));
    else p.resolve(response.result);
  };

  const call = async (method: string, params?: unknown): Promise<unknown> => {
    if (closed) throw new SignerUnavailableError("Signer client is closed");
    const conn = await open();
    const id = nextId++;
    if (nextId > 0x7fffffff) nextId = 1;
    const frame = encodeFrame(params === undefined ? { id, method } : { id, method, params });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new SignerUnavailableError(`Signer did not answer ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { resolve, reject, timer });
      conn.write(frame).catch((cause) => {
        if (!pending.delete(id)) return;
        clearTimeout(timer);
        reject(new SignerUnavailableError("Cannot write to the signer", { cause }));
      });
    });
  };

  return {
    request: (method, params) => call(method, params) as never,
    call,
    close() {
      closed = true;
      connection?.then((conn) => conn.close(), () => {});
      failAll(new SignerUnavailableError("Signer client is closed"));
    },
  };
}
