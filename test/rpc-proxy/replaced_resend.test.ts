import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseTransaction, type Hex } from "viem";
import type { Upstream, UpstreamCall } from "../../rpc-proxy/upstream/create_upstream.ts";
import { call } from "../helpers/rpc.ts";
import { startProxyFixture } from "./proxy_fixture.ts";

// Another sender (a second proxy instance, an operator with the same key) takes the nonce of a transaction the
// node just accepted from this proxy. The proxy must notice and send the client's transaction again with a new
// nonce, so the hash the client gets is one that is mined. On real Anvil, with the real Deno signer: the proxy's
// broadcast goes to a node that is not mining; as soon as the node has accepted it, the test drops it from the
// pool (anvil_dropTransaction) and mines a rival at the same nonce, signed with the same key by the signer.
const RIVAL_TO: Hex = "0x000000000000000000000000000000000000dEaD";

/** The proxy's own count, from GET /metrics. */
async function replacedResends(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith("rpc_proxy_replaced_resends_total "));
  assert.ok(line, "rpc_proxy_replaced_resends_total is exported");
  return Number(line.split(" ")[1]);
}

test("a transaction replaced at its nonce on Anvil is sent again: the client's send is mined and rpc_proxy_replaced_resends_total rises", async () => {
  let dropped: Hex | undefined;
  let rival: Hex | undefined;
  let act: (raw: Hex, hash: Hex) => Promise<void> = async () => {};
  const f = await startProxyFixture({
    wrapUpstream: (upstream): Upstream => ({
      ...upstream,
      async batch(calls: readonly UpstreamCall[]) {
        const outcomes = await upstream.batch(calls);
        for (const [i, [method, params]] of calls.entries()) {
          const outcome = outcomes[i]!;
          if (method === "eth_sendRawTransaction" && outcome.ok && dropped === undefined) await act(params[0] as Hex, outcome.result as Hex);
        }
        return outcomes;
      },
    }),
  });
  try {
    const node = (method: string, params: unknown[] = []) => call(f.upstreamUrl, method, params);
    const chainId = await node("eth_chainId");
    act = async (raw, hash) => {
      dropped = hash;
      assert.ok(await node("eth_getTransactionByHash", [hash]), "the node holds the proxy's transaction");
      assert.ok(await node("anvil_dropTransaction", [hash]) !== undefined);
      const { nonce, maxFeePerGas } = parseTransaction(raw);
      const signed = await f.signer.request("sign.transaction", {
        address: f.account,
        transaction: { type: "0x2", chainId, nonce: `0x${nonce!.toString(16)}`, gas: "0x5208", to: RIVAL_TO, value: "0x1", maxFeePerGas: `0x${(maxFeePerGas! * 2n).toString(16)}`, maxPriorityFeePerGas: "0x1" },
      });
      await node("evm_setAutomine", [true]);
      rival = await node("eth_sendRawTransaction", [signed.raw]);
    };
    await node("evm_setAutomine", [false]);
    const before = await replacedResends(f.url);
    const hash = (await call(f.url, "eth_sendTransaction", [{ from: f.account, to: f.account, value: "0x2a", gas: "0x5208" }])) as Hex;

    assert.ok(dropped && rival, "the proxy's transaction was dropped and a rival mined");
    assert.is.not(hash, dropped, "the client holds the re-sent transaction, not the dropped one");
    const receipt = await node("eth_getTransactionReceipt", [hash]);
    assert.ok(receipt, "the client's transaction is mined");
    assert.is(receipt.status, "0x1");
    const sent = await node("eth_getTransactionByHash", [hash]);
    assert.is(sent.to.toLowerCase(), f.account.toLowerCase());
    assert.is(sent.value, "0x2a");
    const rivalTx = await node("eth_getTransactionByHash", [rival]);
    assert.is(Number(sent.nonce), Number(rivalTx.nonce) + 1, "the next nonce after the rival's");
    assert.is(await node("eth_getTransactionByHash", [dropped]), null);
    assert.is(await replacedResends(f.url), before + 1);
  } finally {
    await f.stop();
  }
});

test.run();
