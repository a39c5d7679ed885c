/**
 * The contract every `Transport` implementation passes (STYLE §5: real and simulated parts pass the same test),
 * written once and run for Node's tcp/unix (`transport_node.test.ts`) and Deno's tcp/unix — and vsock, on a
 * machine that has it — (`transport_contract_deno.ts`, driven by `transport_deno.test.ts`). Runtime-neutral:
 * only `node:assert`, which both runtimes provide.
 */
import assert from "node:assert/strict";
import type { Conn, Listener, SignerAddress, Transport } from "../../../signer/transport/transport.ts";

export type ContractCase = { name: string; run(): Promise<void> };

/**
 * `address()` gives a fresh address to listen on (a tcp port 0, a new socket path, a vsock port); `reach` maps
 * the bound address to the one a client connects to (vsock: listen on CID -1 = any, connect to CID 1 = local).
 */
export function transportContract(
  label: string,
  transport: Transport,
  address: () => SignerAddress,
  reach: (bound: SignerAddress) => SignerAddress = (bound) => bound,
): ContractCase[] {
  const echo = async (): Promise<{ listener: Listener; served: Promise<void> }> => {
    const listener = await transport.listen(address());
    const served = (async () => {
      const pending: Promise<void>[] = [];
      for await (const conn of listener) {
        pending.push((async () => {
          try {
            for await (const chunk of conn.readable) await conn.write(chunk);
          } catch { /* peer reset */ }
          conn.close();
        })());
      }
      await Promise.all(pending);
    })();
    return { listener, served };
  };
  const readAll = async (conn: Conn, length: number): Promise<Uint8Array> => {
    const out = new Uint8Array(length);
    let offset = 0;
    for await (const chunk of conn.readable) {
      out.set(chunk.subarray(0, length - offset), offset);
      offset += chunk.length;
      if (offset >= length) break;
    }
    assert.equal(offset, length, "connection ended early");
    return out;
  };
  const pattern = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
  const withEcho = async (body: (listener: Listener) => Promise<void>) => {
    const { listener, served } = await echo();
    try {
      await body(listener);
    } finally {
      listener.close();
      await served;
    }
  };

  return [
    {
      name: `${label}: listen reports the address it bound (a real port for port 0)`,
      run: () => withEcho(async (listener) => {
        const bound = listener.address;
        assert.equal(bound.transport, address().transport);
        if (bound.transport === "tcp") assert.ok(bound.port > 0);
      }),
    },
    {
      name: `${label}: bytes arrive in order and come back (echo)`,
      run: () => withEcho(async (listener) => {
        const conn = await transport.connect(reach(listener.address));
        try {
          await conn.write(new TextEncoder().encode("hello "));
          await conn.write(new TextEncoder().encode("enclave"));
          assert.equal(new TextDecoder().decode(await readAll(conn, 13)), "hello enclave");
        } finally {
          conn.close();
        }
      }),
    },
    {
      name: `${label}: 2 MiB crosses both ways intact, whatever the chunking`,
      run: () => withEcho(async (listener) => {
        const conn = await transport.connect(reach(listener.address));
        try {
          const payload = pattern(2 * 1024 * 1024, 7);
          const [, back] = await Promise.all([conn.write(payload), readAll(conn, payload.length)]);
          assert.ok(back.every((b, i) => b === payload[i]), "payload corrupted");
        } finally {
          conn.close();
        }
      }),
    },
    {
      name: `${label}: concurrent writes on one connection are never interleaved`,
      run: () => withEcho(async (listener) => {
        const conn = await transport.connect(reach(listener.address));
        try {
          const blocks = Array.from({ length: 32 }, (_, i) => new Uint8Array(16 * 1024).fill(i));
          const [, back] = await Promise.all([Promise.all(blocks.map((b) => conn.write(b))), readAll(conn, 32 * 16 * 1024)]);
          for (let i = 0; i < 32; i++) {
            const block = back.subarray(i * 16 * 1024, (i + 1) * 16 * 1024);
            assert.ok(block.every((b) => b === i), `block ${i} mixed with another`);
          }
        } finally {
          conn.close();
        }
      }),
    },
    {
      name: `${label}: several connections are served at once`,
      run: () => withEcho(async (listener) => {
        const conns = await Promise.all(Array.from({ length: 5 }, () => transport.connect(reach(listener.address))));
        try {
          const answers = await Promise.all(conns.map(async (conn, i) => {
            await conn.write(pattern(1000, i));
            return readAll(conn, 1000);
          }));
          answers.forEach((a, i) => assert.deepEqual(a, pattern(1000, i)));
        } finally {
          for (const conn of conns) conn.close();
        }
      }),
    },
    {
      name: `${label}: when the server closes a connection, the client's readable ends`,
      run: async () => {
        const listener = await transport.listen(address());
        const served = (async () => {
          for await (const conn of listener) {
            await conn.write(new Uint8Array([1, 2, 3]));
            conn.close();
          }
        })();
        try {
          const conn = await transport.connect(reach(listener.address));
          const received: number[] = [];
          for await (const chunk of conn.readable) received.push(...chunk);
          assert.deepEqual(received, [1, 2, 3]);
          conn.close();
        } finally {
          listener.close();
          await served;
        }
      },
    },
    {
      name: `${label}: after listener.close() the accept loop ends and connecting fails`,
      run: async () => {
        const { listener, served } = await echo();
        const at = reach(listener.address);
        listener.close();
        await served;
        await assert.rejects(async () => (await transport.connect(at)).close());
      },
    },
  ];
}
