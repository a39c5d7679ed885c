/**
 * The stream boundary between rooms (DESIGN §3, §4): vsock in production, TCP or a Unix socket locally.
 * One small type; one adapter file per runtime (`transport_deno.ts`, `transport_node.ts`).
 */

/** Where a signer listens or is reached. */
export type SignerAddress =
  | { transport: "tcp"; hostname: string; port: number }
  | { transport: "unix"; path: string }
  | { transport: "vsock"; cid: number; port: number };

/** A bidirectional byte stream. `write` resolves when the bytes are handed to the OS. */
export type Conn = {
  readonly readable: AsyncIterable<Uint8Array>;
  write(bytes: Uint8Array): Promise<void>;
  close(): void;
};

export type Listener = AsyncIterable<Conn> & {
  readonly address: SignerAddress;
  close(): void;
};

export type Transport = {
  listen(address: SignerAddress): Promise<Listener>;
  connect(address: SignerAddress): Promise<Conn>;
};
