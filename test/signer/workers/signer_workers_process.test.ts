import { test } from "uvu";
import * as assert from "uvu/assert";
import { availableParallelism } from "node:os";
import { recoverMessageAddress, recoverTransactionAddress, type Hex } from "viem";
import { startSigner } from "../../../local/start_signer_node.ts";
import type { Service } from "../../../local/spawn_service_node.ts";
import { createSignerClient, SignerRequestError, type SignerClient } from "../../../signer/protocol/create_signer_client.ts";
import { parseSignerAddress } from "../../../signer/transport/parse_signer_address.ts";
import { nodeTransport } from "../../../signer/transport/transport_node.ts";

// The Deno signer with its signing Web Workers: the default count, an explicit one, and none (main thread).
const tx = { type: "0x2", chainId: "0x7a69", nonce: "0x0", gas: "0x5208", maxFeePerGas: "0x2", maxPriorityFeePerGas: "0x1", to: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", value: "0x1" } as const;

type Running = { service: Service; client: SignerClient };
const running: Running[] = [];

async function start(args: string[]): Promise<SignerClient> {
  const { service, address } = await startSigner({ listen: "tcp://127.0.0.1:0", args: ["--mode", "dev", ...args] });
  const client = createSignerClient(() => nodeTransport.connect(parseSignerAddress(address)));
  running.push({ service, client });
  return client;
}

test.after(async () => {
  for (const { service, client } of running) {
    client.close();
    await service.stop();
  }
});

for (const [name, args, expected] of [
  ["by default one worker per core", [], Math.min(64, availableParallelism())],
  ["--workers 3", ["--workers", "3"], 3],
  ["--workers 0 (main thread)", ["--workers", "0"], 0],
] as const) {
  test(`${name}: describe reports ${expected} workers, and every signature recovers to its account`, async () => {
    const client = await start([...args]);
    assert.is((await client.request("describe", {})).workers, expected);
    const accounts = await Promise.all([0, 1].map(async (i) => (await client.request("keys.generate", { label: `k${i}` })).address));
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
      client.request("sign.transaction", { address: accounts[i % 2]!, transaction: { ...tx, nonce: `0x${i.toString(16)}` } })));
    for (const [i, { raw }] of results.entries()) {
      assert.is(await recoverTransactionAddress({ serializedTransaction: raw as never }), accounts[i % 2]);
    }
    const message = new TextEncoder().encode("hi");
    const { signature } = await client.request("sign.message", { address: accounts[0]!, message });
    assert.is(await recoverMessageAddress({ message: { raw: message }, signature }), accounts[0]);
  });
}

test("with workers: refusals keep their codes, and an unloaded key signs no more in any worker", async () => {
  const client = await start(["--workers", "2"]);
  const { address } = await client.request("keys.generate", {});
  const code = (p: Promise<unknown>) => p.then(() => "signed", (e: unknown) => (e instanceof SignerRequestError ? e.code : String(e)));
  assert.is(await code(client.call("sign.transaction", { address, transaction: { ...tx, chainId: undefined } })), "MISSING_CHAIN_ID");
  const bad = await client.call("sign.transaction", { address, transaction: { ...tx, gas: 5 } }).catch((e: SignerRequestError) => e);
  assert.is((bad as SignerRequestError).code, "INVALID_PARAMS");
  assert.equal((bad as SignerRequestError).data, { field: "gas" });
  assert.equal(await client.request("keys.unload", { address }), { removed: true });
  const after = await Promise.all(Array.from({ length: 8 }, () => code(client.request("sign.transaction", { address, transaction: tx }))));
  assert.equal(after, Array(8).fill("UNKNOWN_ACCOUNT"));
  assert.is((await client.request("describe", {})).accounts, 0);
});

test.run();
