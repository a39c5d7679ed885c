import { connect as netConnect, createServer, type AddressInfo, type Socket } from "node:net";
import { once } from "node:events";
import type { Conn, Listener, SignerAddress, Transport } from "./transport.ts";

/** TCP and Unix-socket streams for Node (tests, tooling). Node has no vsock. */
export const nodeTransport: Transport = {
  async listen(address) {
    const server = createServer({ noDelay: true });
    const queue: Socket[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    server.on("connection", (socket) => {
      queue.push(socket);
      wake?.();
    });
    if (address.transport === "tcp") server.listen(address.port, address.hostname);
    else if (address.transport === "unix") server.listen(address.path);
    else throw new TypeError("Cannot listen on vsock: Node has no AF_VSOCK (use Deno)");
    await once(server, "listening");
    const bound: SignerAddress = address.transport === "tcp"
      ? { ...address, port: (server.address() as AddressInfo).port }
      : address;
    return {
      address: bound,
      close() {
        closed = true;
        server.close();
        wake?.();
      },
      async *[Symbol.asyncIterator]() {
        while (!closed) {
          const socket = queue.shift();
          if (socket) yield wrap(socket);
          else await new Promise<void>((resolve) => (wake = resolve));
        }
      },
    } satisfies Listener;
  },
  async connect(address) {
    if (address.transport === "vsock") throw new TypeError("Cannot connect over vsock: Node has no AF_VSOCK (use Deno)");
    const socket = address.transport === "tcp"
      ? netConnect({ host: address.hostname, port: address.port, noDelay: true })
      : netConnect({ path: address.path });
    await once(socket, "connect");
    return wrap(socket);
  },
};

function wrap(socket: Socket): Conn {
  socket.on("error", () => socket.destroy());
  return {
    readable: socket,
    write(bytes) {
      if (socket.destroyed) return Promise.reject(new Error("Cannot write: connection closed"));
      return socket.write(bytes) ? Promise.resolve() : once(socket, "drain").then(() => undefined);
    },
    close: () => socket.destroy(),
  };
}
