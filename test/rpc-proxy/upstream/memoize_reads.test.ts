import { test } from "uvu";
import * as assert from "uvu/assert";
import { UpstreamRpcError } from "../../../rpc-proxy/jsonrpc/rpc_error.ts";
import { memoizeReads } from "../../../rpc-proxy/upstream/memoize_reads.ts";
import { fakeUpstream } from "../fakes.ts";

test("a memoized read is shared while it is young, per params; other methods always go to the node", async () => {
  let tip = 1;
  const node = fakeUpstream({ eth_maxPriorityFeePerGas: () => `0x${(tip++).toString(16)}`, eth_getBlockByNumber: ([tag]: unknown[]) => ({ tag }), eth_chainId: "0x1" });
  let clock = 0;
  const reads = memoizeReads(node, ["eth_maxPriorityFeePerGas", "eth_getBlockByNumber"], 250, () => clock);
  assert.equal(await Promise.all([reads.request("eth_maxPriorityFeePerGas"), reads.request("eth_maxPriorityFeePerGas")]), ["0x1", "0x1"]);
  clock = 250;
  assert.is(await reads.request("eth_maxPriorityFeePerGas"), "0x1");
  clock = 251;
  assert.is(await reads.request("eth_maxPriorityFeePerGas"), "0x2");
  assert.equal(await reads.request("eth_getBlockByNumber", ["latest", false]), { tag: "latest" });
  assert.equal(await reads.request("eth_getBlockByNumber", ["pending", false]), { tag: "pending" });
  await reads.request("eth_chainId");
  await reads.request("eth_chainId");
  const count = (method: string) => node.calls.filter((c) => c.method === method).length;
  assert.equal([count("eth_maxPriorityFeePerGas"), count("eth_getBlockByNumber"), count("eth_chainId")], [2, 2, 2]);
});

test("a failed read is not kept: the next caller asks the node again", async () => {
  let fail = true;
  const node = fakeUpstream({
    eth_gasPrice: () => {
      if (fail) throw new UpstreamRpcError({ code: -32000, message: "busy" });
      return "0x7";
    },
  });
  const reads = memoizeReads(node, ["eth_gasPrice"], 1000);
  await reads.request("eth_gasPrice").then(() => assert.unreachable(), (error) => assert.instance(error, UpstreamRpcError));
  fail = false;
  assert.is(await reads.request("eth_gasPrice"), "0x7");
});

test.run();
