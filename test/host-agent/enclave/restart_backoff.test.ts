import { test } from "uvu";
import * as assert from "uvu/assert";
import type { EnclaveDescription, EnclaveRunInfo, NitroCli } from "../../../host-agent/enclave/nitro_cli.ts";
import { superviseEnclave } from "../../../host-agent/enclave/supervise_enclave.ts";
import type { SignerClient } from "../../../signer/protocol/create_signer_client.ts";

// The restart backoff grows with consecutive failures and starts over once an enclave ran for five minutes
// (`stableAfterMs`, default 300000): a signer that crashes once a day must not wait out the backoff of a crash
// loop from last week. Run with the default timings on a simulated clock: `sleep` advances it, and each
// enclave "runs" until the clock has moved its lifetime past its start, then describe-enclaves no longer lists it.

type Run = { lifetimeMs: number };

async function restartDelays(runs: Run[]): Promise<number[]> {
  let now = Date.parse("2026-03-01T00:00:00.000Z");
  const controller = new AbortController();
  const delays: number[] = [];
  let current: { id: string; startedAt: number; lifetimeMs: number } | undefined;
  let started = 0;
  const nitroCli: NitroCli = {
    async runEnclave(p): Promise<EnclaveRunInfo> {
      const run = runs[started++];
      if (!run) {
        controller.abort();
        throw new Error("no more runs");
      }
      current = { id: `enc-${started}`, startedAt: now, lifetimeMs: run.lifetimeMs };
      return { EnclaveName: p.name, EnclaveID: current.id, ProcessID: 1, EnclaveCID: p.cid, NumberOfCPUs: p.cpuCount, CPUIDs: [1], MemoryMiB: p.memoryMib };
    },
    async describeEnclaves(): Promise<EnclaveDescription[]> {
      if (!current || now - current.startedAt >= current.lifetimeMs) return [];
      return [{ EnclaveName: "nitro-signer", EnclaveID: current.id, ProcessID: 1, EnclaveCID: 16, NumberOfCPUs: 2, CPUIDs: [1], MemoryMiB: 512, State: "RUNNING", Flags: "NONE" }];
    },
    async terminateEnclave() {},
  };
  const signer: SignerClient = {
    request: (async (method: string) => (method === "describe" ? { accounts: 1 } : {})) as SignerClient["request"],
    call: async () => ({}),
    close() {},
  };
  await superviseEnclave({
    nitroCli,
    enclave: { eifPath: "/x.eif", cpuCount: 2, memoryMib: 512, cid: 16, name: "nitro-signer" },
    connectSigner: () => signer,
    prepare: async () => ({ loaded: ["0x1"], failed: [] }),
    signal: controller.signal,
    clock: () => now,
    sleep: async (ms) => {
      now += ms;
      await new Promise((resolve) => setImmediate(resolve));
    },
    log: (e) => {
      if (e.event === "enclave-down") delays.push(e.restartInMs as number);
    },
  });
  return delays;
}

test("the restart backoff doubles while enclaves die young, and starts over after one ran five minutes", async () => {
  const delays = await restartDelays([
    { lifetimeMs: 10_000 }, { lifetimeMs: 10_000 }, { lifetimeMs: 10_000 },
    { lifetimeMs: 300_000 }, // stable: the next delay is the first one again
    { lifetimeMs: 10_000 },
  ]);
  assert.equal(delays, [1000, 2000, 4000, 1000, 2000]);
});

test("an enclave that ran just under five minutes does not reset the backoff", async () => {
  const delays = await restartDelays([{ lifetimeMs: 10_000 }, { lifetimeMs: 10_000 }, { lifetimeMs: 295_000 }]);
  assert.equal(delays, [1000, 2000, 4000]);
});

test.run();
