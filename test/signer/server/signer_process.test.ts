import { test } from "uvu";
import * as assert from "uvu/assert";
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { encode } from "cborg";
import { recoverTransactionAddress } from "viem";
import { createFrameDecoder, encodeFrame } from "../../../signer/protocol/frame.ts";
import { createSignerClient, SignerRequestError } from "../../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";
import { startSigner } from "../../../local/start_signer_node.ts";
import type { Service } from "../../../local/spawn_service_node.ts";
import type { Hex } from "../../../signer/protocol/messages.ts";

// The signer as a real Deno process on loopback TCP; every test talks to it over real sockets.
let service: Service;
let port: number;
let client: ReturnType<typeof createSignerClient>;
let address: Hex;

test.before(async () => {
  const started = await startSigner({ listen: "tcp://127.0.0.1:0" });
  service = started.service;
  const parsed = parseSignerAddress(started.address);
  port = parsed.transport === "tcp" ? parsed.port : 0;
  client = createSignerClient(() => nodeTransport.connect(parsed));
  address = (await client.request("keys.generate", { label: "t" })).address;
});

test.after(async () => {
  client.close();
  await service.stop();
});

const tx = { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" } as const;

/** A raw socket: write bytes, read decoded frames until the signer closes or `count` arrive. */
async function raw(bytes: Uint8Array, count = Infinity): Promise<{ frames: any[]; closed: boolean }> {
  const socket: Socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  socket.write(bytes);
  const decoder = createFrameDecoder();
  const frames: any[] = [];
  let closed = false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 3000);
    socket.on("data", (chunk) => {
      frames.push(...decoder.push(chunk));
      if (frames.length >= count) { clearTimeout(timer); resolve(); }
    });
    socket.on("close", () => { closed = true; clearTimeout(timer); resolve(); });
  });
  socket.destroy();
  return { frames, closed };
}

const expectCode = async (p: Promise<unknown>, code: string): Promise<SignerRequestError> => {
  try {
    await p;
  } catch (error) {
    assert.instance(error, SignerRequestError);
    assert.is((error as SignerRequestError).code, code, (error as Error).message);
    return error as SignerRequestError;
  }
  throw new assert.Assertion({ message: `expected ${code}`, operator: "unreachable", generated: false, expects: code, actual: "success" });
};

test("describe answers with the signer's name and account count", async () => {
  const info = await client.request("describe", {});
  assert.is(info.name, "nitro-eth-signer");
  assert.is(info.accounts, 1);
});

test("policy.describe answers with the rules the signer refuses by", async () => {
  const { rules } = await client.request("policy.describe", {});
  assert.equal(rules.map((r) => r.id), ["typed-data-chain", "authorization-any-chain"]);
});

test("keys.list lists the generated account with its label, unrestricted", async () => {
  assert.equal(await client.request("keys.list", {}), [{ address, label: "t", policy: { kind: "unrestricted" } }]);
});

test("sign.transaction returns a raw transaction that recovers to the account", async () => {
  const { raw: signed, hash } = await client.request("sign.transaction", { address, transaction: tx });
  assert.ok(hash.startsWith("0x") && hash.length === 66);
  assert.is(await recoverTransactionAddress({ serializedTransaction: signed as never }), address);
});

test("100 pipelined requests on one connection are all answered, matched by id", async () => {
  const results = await Promise.all(Array.from({ length: 100 }, (_, i) =>
    client.request("sign.transaction", { address, transaction: { ...tx, nonce: `0x${i.toString(16)}` } })
  ));
  assert.is(new Set(results.map((r) => r.hash)).size, 100);
});

test("bad requests get stable error codes and the connection stays usable", async () => {
  await expectCode(client.call("no.such.method", {}), "UNKNOWN_METHOD");
  await expectCode(client.call("sign.transaction", "nope"), "INVALID_PARAMS");
  await expectCode(client.call("sign.transaction", { address: 42, transaction: tx }), "INVALID_PARAMS");
  const unknown = await expectCode(client.call("sign.transaction", { address: "0x000000000000000000000000000000000000dEaD", transaction: tx }), "UNKNOWN_ACCOUNT");
  assert.match(unknown.message, /0x000000000000000000000000000000000000dEaD/);
  const { chainId: _, ...noChain } = tx;
  await expectCode(client.call("sign.transaction", { address, transaction: { ...noChain, type: "0x0", gasPrice: "0x1", maxFeePerGas: undefined, maxPriorityFeePerGas: undefined } }), "MISSING_CHAIN_ID");
  await expectCode(client.call("sign.transaction", { address, transaction: { ...tx, gas: 5 } }), "INVALID_PARAMS");
  assert.is((await client.request("describe", {})).accounts, 1);
});

test("a well-formed frame that is not a request gets BAD_FRAME with its id when it has one", async () => {
  const { frames, closed } = await raw(new Uint8Array([...encodeFrame({ id: 9, params: {} }), ...encodeFrame([1, 2])]), 2);
  assert.equal(frames.map((f) => [f.id, f.error.code]), [[9, "BAD_FRAME"], [null, "BAD_FRAME"]]);
  assert.not.ok(closed);
});

test("garbage bytes get one BAD_FRAME error frame and the connection is closed", async () => {
  const body = new Uint8Array([0xff, 0xfe, 0xfd]);
  const { frames, closed } = await raw(new Uint8Array([0, 0, 0, 3, ...body]));
  assert.is(frames.length, 1);
  assert.equal(frames[0].id, null);
  assert.is(frames[0].error.code, "BAD_FRAME");
  assert.ok(closed);
});

test("an oversized length prefix gets FRAME_TOO_LARGE and the connection is closed", async () => {
  const { frames, closed } = await raw(new Uint8Array([0x00, 0x10, 0x00, 0x01, 1, 2, 3]));
  assert.is(frames[0]?.error.code, "FRAME_TOO_LARGE");
  assert.ok(closed);
});

test("a frame cut off by the client's close gets TRUNCATED_FRAME", async () => {
  const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  await once(socket, "connect");
  const frame = encodeFrame({ id: 1, method: "describe" });
  socket.end(frame.subarray(0, frame.length - 2));
  const decoder = createFrameDecoder();
  const frames: any[] = [];
  socket.on("data", (chunk) => frames.push(...decoder.push(chunk)));
  await once(socket, "close");
  assert.is(frames[0]?.error.code, "TRUNCATED_FRAME");
});

test("after all the bad input the process is still up and serves other connections", async () => {
  const other = createSignerClient(() => nodeTransport.connect({ transport: "tcp", hostname: "127.0.0.1", port }));
  const [a, b] = await Promise.all([other.request("describe", {}), client.request("keys.list", {})]);
  assert.is(a.accounts, 1);
  assert.is(b.length, 1);
  other.close();
  assert.is(service.child.exitCode, null);
  assert.ok(encode(1)); // cborg stays importable beside the signer's codec
});

test.run();
