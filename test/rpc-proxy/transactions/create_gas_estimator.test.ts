import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Hex } from "viem";
import { createGasEstimator } from "../../../rpc-proxy/transactions/create_gas_estimator.ts";
import type { TransactionRequest } from "../../../rpc-proxy/transactions/fill_transaction.ts";
import { ANVIL_LIKE, fakeUpstream } from "../fakes.ts";

const from: Hex = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
const eoa: Hex = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const contract: Hex = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

function node(estimate: Hex = "0x5208") {
  const code = new Map<string, Hex>([[contract.toLowerCase(), "0x6080"]]);
  const upstream = fakeUpstream({ ...ANVIL_LIKE, eth_estimateGas: estimate, eth_getCode: ([address]: unknown[]) => code.get(String(address).toLowerCase()) ?? "0x" });
  const asked = (method: string) => upstream.calls.filter((c) => c.method === method).length;
  return { upstream, code, asked };
}

test("a plain transfer to an address without code: estimated once (the chain shows 21,000), then 21,000 with no estimate, the code lookup cached", async () => {
  const { upstream, asked } = node();
  const gas = createGasEstimator(upstream);
  for (let i = 0; i < 3; i++) assert.is(await gas.estimate({ from, to: eoa, value: "0x1" }), "0x5208");
  assert.equal([asked("eth_estimateGas"), asked("eth_getCode")], [1, 1]);
});

test("a chain where a transfer costs more than 21,000 (an L2): always estimated", async () => {
  const { upstream, asked } = node("0x7530");
  const gas = createGasEstimator(upstream);
  assert.is(await gas.estimate({ from, to: eoa, value: "0x1" }), "0x7530");
  assert.is(await gas.estimate({ from, to: eoa, value: "0x1" }), "0x7530");
  assert.is(asked("eth_estimateGas"), 2);
});

test("estimated as before: a recipient with code, data, an access list, authorizations, a creation", async () => {
  const { upstream, asked } = node();
  const gas = createGasEstimator(upstream);
  await gas.estimate({ from, to: eoa, value: "0x1" });
  const requests: TransactionRequest[] = [
    { from, to: contract, value: "0x1" },
    { from, to: eoa, value: "0x1", data: "0x01" as Hex },
    { from, to: eoa, value: "0x1", input: "0x01" as Hex },
    { from, to: eoa, value: "0x1", accessList: [] },
    { from, to: eoa, value: "0x1", authorizationList: [] },
    { from, value: "0x1", data: "0x6080" as Hex },
  ];
  for (const request of requests) await gas.estimate(request);
  assert.is(asked("eth_estimateGas"), 1 + requests.length);
});

test("forget(): an address that gained code (EIP-7702 delegation) is looked up again, and estimated", async () => {
  const { upstream, code, asked } = node();
  let clock = 0;
  const gas = createGasEstimator(upstream, { now: () => clock, codeTtlMs: 1000 });
  await gas.estimate({ from, to: eoa, value: "0x1" });
  await gas.estimate({ from, to: eoa, value: "0x1" });
  code.set(eoa.toLowerCase(), "0xef0100aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  gas.forget();
  await gas.estimate({ from, to: eoa, value: "0x1" });
  assert.equal([asked("eth_getCode"), asked("eth_estimateGas")], [2, 2]);
  // Past the TTL, a lookup is made again even without forget().
  clock = 5000;
  code.delete(eoa.toLowerCase());
  assert.is(await gas.estimate({ from, to: eoa, value: "0x1" }), "0x5208");
  assert.equal([asked("eth_getCode"), asked("eth_estimateGas")], [3, 2]);
});

test.run();
