import { test } from "uvu";
import * as assert from "uvu/assert";
import { sha256, type Hex } from "viem";
import { toRpcError } from "../../../rpc-proxy/jsonrpc/to_rpc_error.ts";
import { fillTransaction } from "../../../rpc-proxy/transactions/fill_transaction.ts";
import { takeBlobSidecars } from "../../../rpc-proxy/transactions/take_blob_sidecars.ts";
import { attachBlobSidecars } from "../../../rpc-proxy/transactions/attach_blob_sidecars.ts";
import { RpcError } from "../../../rpc-proxy/jsonrpc/rpc_error.ts";
import { ANVIL_LIKE, fakeUpstream } from "../fakes.ts";

const from: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const to: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const chainId: Hex = "0x7a69";

test("a bare transfer on an EIP-1559 chain gets type 2, chainId, estimated gas and fees from the node", async () => {
  const upstream = fakeUpstream(ANVIL_LIKE);
  const tx = await fillTransaction({ from, to, value: "0x1" }, { upstream, chainId });
  assert.equal(tx, { to, value: "0x1", chainId, type: "0x2", maxFeePerGas: "0xb2d05e00", maxPriorityFeePerGas: "0x3b9aca00", gas: "0x5208" });
  assert.equal(upstream.calls.find((c) => c.method === "eth_estimateGas")?.params, [{ from, to, value: "0x1" }, "latest"]);
  assert.is(upstream.calls.filter((c) => c.method === "eth_getBlockByNumber").length, 1);
});

test("fields the caller gave are never changed, and input and data are both kept", async () => {
  const upstream = fakeUpstream(ANVIL_LIKE);
  const given = { from, to, value: "0x2", gas: "0x6000", maxFeePerGas: "0x5", maxPriorityFeePerGas: "0x4", input: "0xab", data: "0xAB", chainId, type: "0x2" } as const;
  const tx = await fillTransaction({ ...given }, { upstream, chainId });
  const { from: _, ...rest } = given;
  assert.equal(tx, rest);
  assert.equal(upstream.calls.map((c) => c.method), []);
});

test("only maxFeePerGas given: the tip is the node's, capped at it; only the tip given: maxFee is 2 × base fee + tip", async () => {
  const upstream = fakeUpstream(ANVIL_LIKE);
  assert.equal((await fillTransaction({ from, to, maxFeePerGas: "0x100" }, { upstream, chainId })).maxPriorityFeePerGas, "0x100");
  const tip = await fillTransaction({ from, to, maxPriorityFeePerGas: "0x7" }, { upstream, chainId });
  assert.equal([tip.maxFeePerGas, tip.maxPriorityFeePerGas], ["0x77359407", "0x7"]);
});

test("gasPrice makes it legacy, with an access list EIP-2930; a chain without base fee gets legacy gasPrice", async () => {
  const upstream = fakeUpstream(ANVIL_LIKE);
  assert.is((await fillTransaction({ from, to, gasPrice: "0x9" }, { upstream, chainId })).type, "0x0");
  assert.is((await fillTransaction({ from, to, gasPrice: "0x9", accessList: [] }, { upstream, chainId })).type, "0x1");
  const legacyChain = fakeUpstream({ ...ANVIL_LIKE, eth_getBlockByNumber: { number: "0x1" } });
  const tx = await fillTransaction({ from, to }, { upstream: legacyChain, chainId });
  assert.equal([tx.type, tx.gasPrice, tx.maxFeePerGas], ["0x0", "0x77359400", undefined]);
  await fillTransaction({ from, to, type: "0x2" }, { upstream: legacyChain, chainId }).then(
    () => assert.unreachable("filled EIP-1559 fees without a base fee"),
    (e) => assert.is((e as RpcError).rpcCode, -32602),
  );
});

test("a node without eth_maxPriorityFeePerGas: the tip is the gas price above the base fee", async () => {
  const { eth_maxPriorityFeePerGas: _, ...rest } = ANVIL_LIKE;
  const tx = await fillTransaction({ from, to }, { upstream: fakeUpstream(rest), chainId });
  assert.equal([tx.maxPriorityFeePerGas, tx.maxFeePerGas], ["0x3b9aca00", "0xb2d05e00"]);
});

test("refuses another chain's chainId, differing input and data, and a malformed type", async () => {
  const upstream = fakeUpstream(ANVIL_LIKE);
  for (const bad of [{ chainId: "0x1" }, { input: "0x01", data: "0x02" }, { type: "two" }, { chainId: "1" }]) {
    await fillTransaction({ from, to, ...bad } as never, { upstream, chainId }).then(
      () => assert.unreachable(JSON.stringify(bad)),
      (e) => assert.is(toRpcError(e).code, -32602, JSON.stringify(bad)),
    );
  }
});

// The all-zero blob's KZG commitment and proof are the point at infinity (valid for it).
const blob = `0x${"00".repeat(131072)}` as Hex;
const point = `0xc0${"00".repeat(47)}` as Hex;
const versionedHash = `0x01${sha256(point).slice(4)}` as Hex;

test("blob sidecars: taken off the request, versioned hashes derived from the commitments, blob fee filled", async () => {
  const { request, sidecars } = takeBlobSidecars({ from, to, blobs: [blob], commitments: [point], proofs: [point] });
  assert.equal(request.blobVersionedHashes, [versionedHash]);
  assert.equal(sidecars, { blobs: [blob], commitments: [point], proofs: [point] });
  const upstream = fakeUpstream(ANVIL_LIKE);
  const tx = await fillTransaction(request, { upstream, chainId });
  assert.equal([tx.type, tx.maxFeePerBlobGas], ["0x3", "0x2"]);
  assert.not.ok(JSON.stringify(upstream.calls).includes("0000000000000000000000000000000000000000000000000000"));
});

test("blob sidecars: incomplete or mismatched sidecars are refused", () => {
  const bad = [
    { blobs: [blob] },
    { blobs: [blob], commitments: [point], proofs: [] },
    { blobs: ["0x00"], commitments: [point], proofs: [point] },
    { blobs: [blob], commitments: [point], proofs: [point], blobVersionedHashes: [`0x01${"00".repeat(31)}`] },
    { blobs: [blob], commitments: [point], proofs: [point], type: "0x2" },
  ];
  for (const fields of bad) {
    assert.throws(() => takeBlobSidecars({ from, to, ...fields } as never), (e: unknown) => (e as RpcError).rpcCode === -32602);
  }
});

test("attachBlobSidecars() wraps the signed payload as is: rlp([body, blobs, commitments, proofs])", () => {
  // A minimal well-formed type-3 payload: 0x03 ‖ rlp([0x01]).
  assert.is(attachBlobSidecars("0x03c101", { blobs: [], commitments: [], proofs: [] }), "0x03c5c101c0c0c0");
  assert.throws(() => attachBlobSidecars("0x02c101", { blobs: [], commitments: [], proofs: [] }), TypeError);
});

test.run();
